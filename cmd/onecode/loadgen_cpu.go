package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on every
// Linux the switch runs on; reading sysconf would need cgo).
const clockTick = 10 * time.Millisecond

// cpuRoles name the processes a load run accounts CPU to: the started switch and
// this loadgen by pid, PostgreSQL's and Redis's processes by their command name.
type cpuRoles struct {
	switchPID, loadgenPID int
	sandboxPID            int // a push sandbox in its own process (0: none)
}

// cpuSample is the CPU time (user + system) each role had used at one moment.
type cpuSample struct {
	switchCPU, loadgen, sandbox time.Duration
	postgres, redis             map[int]time.Duration // by process: backends come and go
	at                          time.Time
	ok                          bool // false off Linux or when the switch's process could not be read
}

// grown is the CPU the processes of b used since a: a process new in b counts
// from its start, one gone from b is not counted (its time went with it).
func grown(a, b map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, t := range b {
		d += t - a[pid]
	}
	return d
}

// sample reads /proc. PostgreSQL backends that exit between two samples take
// their time with them (a run's pools stay open, so its own backends are counted).
func (r cpuRoles) sample() cpuSample {
	var s cpuSample
	if r.switchPID == 0 {
		return s
	}
	sw, ok := procCPU(r.switchPID)
	if !ok {
		return s
	}
	s.switchCPU, s.ok, s.at = sw, true, time.Now()
	s.loadgen, _ = procCPU(r.loadgenPID)
	if r.sandboxPID != 0 {
		s.sandbox, _ = procCPU(r.sandboxPID)
	}
	s.postgres, s.redis = map[int]time.Duration{}, map[int]time.Duration{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(filepath.Join(d, "comm"))
		if err != nil {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		switch strings.TrimSpace(string(comm)) {
		case "postgres":
			s.postgres[pid], _ = procCPU(pid)
		case "redis-server":
			s.redis[pid], _ = procCPU(pid)
		}
	}
	return s
}

// procCPU is pid's user + system time from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name (field 2) is in parentheses and may hold spaces: the
	// fields counted are those after its closing parenthesis (state is field 3).
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * clockTick, true
}

// cpuPer is the CPU each role used between a and b, per unit of n units of work
// (bills, notices), as one line; "" when either sample is missing. With
// alongside (the canteen paid meanwhile) the figures hold the canteen's share
// too, and no capacity is drawn from them.
func cpuPer(a, b cpuSample, n int, unit, alongside string) string {
	if !a.ok || !b.ok || n <= 0 {
		return ""
	}
	per := func(x, y time.Duration) float64 { return float64(y-x) / float64(time.Millisecond) / float64(n) }
	sw, pg, rd, lg := per(a.switchCPU, b.switchCPU), per(0, grown(a.postgres, b.postgres)), per(0, grown(a.redis, b.redis)), per(a.loadgen, b.loadgen)
	side := sw + pg + rd
	line := fmt.Sprintf("CPU per %s: switch %.2fms, PostgreSQL %.2fms, Redis %.2fms (together %.2fms), loadgen %.2fms", unit, sw, pg, rd, side, lg)
	if alongside != "" {
		return line + " (" + alongside + " included)"
	}
	return line + fmt.Sprintf(" (its sandbox and parents); 2 cores would carry %.0f/s of the switch's side alone", 2000/max(side, 0.001))
}

// cpuCores is the cores each role kept busy between a and b, as one line; ""
// when either sample is missing. The clock tick makes a short span coarse: 10ms
// over a 5s phase is 0.002 of a core.
func cpuCores(a, b cpuSample) string {
	span := b.at.Sub(a.at)
	if !a.ok || !b.ok || span <= 0 {
		return ""
	}
	c := func(x, y time.Duration) float64 { return float64(y-x) / float64(span) }
	sw, pg, rd, sb, lg := c(a.switchCPU, b.switchCPU), c(0, grown(a.postgres, b.postgres)), c(0, grown(a.redis, b.redis)), c(a.sandbox, b.sandbox), c(a.loadgen, b.loadgen)
	return fmt.Sprintf("switch %.2f, PostgreSQL %.2f, Redis %.2f, push sandbox %.2f, loadgen %.2f: %.2f cores busy", sw, pg, rd, sb, lg, sw+pg+rd+sb+lg)
}
