package keygentest

import "time"

const defaultHeartbeat = 600 // seconds, when the policy has no heartbeatDuration

// heartbeatDuration is the policy's heartbeat duration in seconds, 600 by default.
func heartbeatDuration(p *policy) int64 {
	if p != nil && p.HeartbeatDuration != nil {
		return *p.HeartbeatDuration
	}
	return defaultHeartbeat
}

// machineRequiresHeartbeat: the policy requires it or the machine has a heartbeat (a
// reset clears it again), as Machine#requires_heartbeat?.
func machineRequiresHeartbeat(db *store, m *machine) bool {
	p := machinePolicy(db, m)
	return (p != nil && p.RequireHeartbeat) || m.LastHeartbeat != nil
}

// nextHeartbeat is lastHeartbeat plus the heartbeat duration.
func nextHeartbeat(db *store, m *machine) *time.Time {
	if m.LastHeartbeat == nil {
		return nil
	}
	t := m.LastHeartbeat.Add(time.Duration(heartbeatDuration(machinePolicy(db, m))) * time.Second)
	return &t
}

// heartbeatStatus follows Machine#heartbeat_status (app/models/machine.rb): RESURRECTED right
// after a revive, NOT_STARTED when never pinged (and not required, or still within one duration
// of creation), ALIVE while the next heartbeat is not overdue, else DEAD.
func heartbeatStatus(db *store, m *machine, now time.Time) string {
	if m.ResurrectedAt != nil {
		return "RESURRECTED"
	}
	if m.LastHeartbeat == nil {
		d := time.Duration(heartbeatDuration(machinePolicy(db, m))) * time.Second
		if !machineRequiresHeartbeat(db, m) || m.Created.Add(d).After(now) {
			return "NOT_STARTED"
		}
		return "DEAD"
	}
	if next := nextHeartbeat(db, m); !next.Before(now) {
		return "ALIVE"
	}
	return "DEAD"
}

// lazarusTTL is the revive window of a resurrection strategy (0 for NO_REVIVE and
// ALWAYS_REVIVE, which has no window).
func lazarusTTL(p *policy) time.Duration {
	switch p.HeartbeatResurrectionStrategy {
	case "15_MINUTE_REVIVE":
		return 15 * time.Minute
	case "10_MINUTE_REVIVE":
		return 10 * time.Minute
	case "5_MINUTE_REVIVE":
		return 5 * time.Minute
	case "2_MINUTE_REVIVE":
		return 2 * time.Minute
	case "1_MINUTE_REVIVE":
		return time.Minute
	}
	return 0
}

// resurrects: the policy revives dead machines on ping (any strategy but NO_REVIVE).
func resurrects(p *policy) bool {
	return p != nil && p.HeartbeatResurrectionStrategy != "" && p.HeartbeatResurrectionStrategy != "NO_REVIVE"
}

// resurrectionPeriodPassed follows Machine#resurrection_period_passed?.
func resurrectionPeriodPassed(db *store, m *machine, now time.Time) bool {
	p := machinePolicy(db, m)
	if p != nil && p.HeartbeatResurrectionStrategy == "ALWAYS_REVIVE" {
		return false
	}
	next := nextHeartbeat(db, m)
	if !machineRequiresHeartbeat(db, m) || !resurrects(p) || next == nil {
		return true
	}
	return now.After(next.Add(lazarusTTL(p)))
}

// cullEvery is the period of Keygen's CullDeadMachinesWorker (every 2 minutes).
const cullEvery = 2 * time.Minute

// lazy wraps a handler so that the clock-driven state is brought up to date first:
// dead machines are culled as Keygen's periodic worker would have (cullDeadMachines).
func (s *Server) lazy(h handlerFunc) handlerFunc {
	return func(c *call) error {
		c.cullDeadMachines()
		c.cullDeadProcesses()
		return h(c)
	}
}

// cullDeadMachines does lazily what Keygen's cron worker does every two minutes: each
// machine that requires a heartbeat and is dead gets machine.heartbeat.dead once, and is
// deleted when its policy's cull strategy is DEACTIVATE_DEAD and any revive window has
// passed (never with ALWAYS_REVIVE). It runs before every licensing request, judging each
// machine at the latest 2-minute tick of the server clock with its policy as it is now
// (when the policy was not changed since that tick), so Server.Advance culls dead
// machines on the next read, as Keygen's worker would have meanwhile.
func (c *call) cullDeadMachines() {
	db := c.db()
	tick := c.now().Truncate(cullEvery)
	for _, m := range ofAccount(db.machines, c.acct.ID, nil) {
		pol := machinePolicy(db, m)
		if pol == nil || !machineRequiresHeartbeat(db, m) || heartbeatStatus(db, m, tick) != "DEAD" {
			continue
		}
		if !m.DeathEventSent {
			m.DeathEventSent = true
			c.emit("machine.heartbeat.dead", c.view().machine(m), nil)
		}
		// The policy is known only since its last change: a tick before it judged the
		// machine under other settings, so a new cull strategy waits for the next tick.
		if !tick.After(pol.Updated) || pol.HeartbeatResurrectionStrategy == "ALWAYS_REVIVE" {
			continue
		}
		if resurrects(pol) && !resurrectionPeriodPassed(db, m, tick) {
			continue
		}
		if pol.HeartbeatCullStrategy != "KEEP_DEAD" {
			delete(db.machines, m.ID)
		}
	}
}

// mayHeartbeat implements Machines::HeartbeatPolicy: ping for admins, developers,
// environments (not agents or read-only), the product, the owner of the machine or of an
// unprotected license and the license itself; reset only for admins, developers, sales
// agents, environments and the product.
func (c *call) mayHeartbeat(p *principal, m *machine, reset bool) bool {
	l := c.db().licenses[m.LicenseID]
	switch {
	case p.hasRole("admin", "developer", "environment"):
		return true
	case reset && p.hasRole("sales-agent"):
		return true
	case p.product != nil:
		return l != nil && p.isProduct(c.licenseProductID(l))
	case reset:
		return false
	case c.machineOwnedBy(p, m, l):
		return l == nil || !licenseProtected(c.db(), l)
	}
	return p.license != nil && p.isLicense(m.LicenseID)
}

// pingMachine records a heartbeat
// (app/controllers/api/v1/machines/actions/heartbeats_controller.rb): a dead machine is revived
// when the policy's resurrection strategy and window allow (RESURRECTED), else 422
// MACHINE_HEARTBEAT_DEAD.
func (s *Server) pingMachine(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	m, err := c.findMachineFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "machine.heartbeat.ping", c.mayHeartbeat(p, m, false)); err != nil {
		return err
	}
	db, now := c.db(), c.now()
	dead := heartbeatStatus(db, m, now) == "DEAD"
	if dead {
		pol := machinePolicy(db, m)
		if !resurrects(pol) || resurrectionPeriodPassed(db, m, now) {
			return errUnprocessableEntity("is dead", "MACHINE_HEARTBEAT_DEAD", nil)
		}
	}
	m.LastHeartbeat = &now
	m.HeartbeatEverSent = true
	m.Updated = now
	res := c.view().machine(m)
	if dead {
		m.DeathEventSent = false
		res.Attributes["heartbeatStatus"] = "RESURRECTED"
		c.emit("machine.heartbeat.resurrected", res, nil)
	} else {
		c.emit("machine.heartbeat.ping", res, nil)
	}
	return c.ok(res)
}

func (s *Server) resetMachine(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	m, err := c.findMachineFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "machine.heartbeat.reset", c.mayHeartbeat(p, m, true)); err != nil {
		return err
	}
	m.LastHeartbeat = nil
	m.Updated = c.now()
	res := c.view().machine(m)
	c.emit("machine.heartbeat.reset", res, nil)
	return c.ok(res)
}
