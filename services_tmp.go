package keygen

// Placeholder declarations, replaced file by file as each service lands.
type TokensService struct{ service }
type PoliciesService struct{ service }
type UsersService struct{ service }
type LicensesService struct{ service }
type MachinesService struct{ service }
type KeysService struct{ service }
type WebhooksService struct{ service }
type WebhookEventsService struct{ service }
type ProfileService struct{ service }
