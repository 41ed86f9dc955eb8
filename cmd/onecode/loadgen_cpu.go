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
}

// cpuSample is the CPU time (user + system) each role had used at one moment.
type cpuSample struct {
	switchCPU, postgres, redis, loadgen time.Duration
	ok                                  bool // false off Linux or when the switch's process could not be read
}

// sampleCPU reads /proc. PostgreSQL backends that exit between two samples take
// their time with them; a run's pools stay open, so its own backends are counted.
func (r cpuRoles) sample() cpuSample {
	var s cpuSample
	if r.switchPID == 0 {
		return s
	}
	sw, ok := procCPU(r.switchPID)
	if !ok {
		return s
	}
	s.switchCPU, s.ok = sw, true
	s.loadgen, _ = procCPU(r.loadgenPID)
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(filepath.Join(d, "comm"))
		if err != nil {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		switch strings.TrimSpace(string(comm)) {
		case "postgres":
			t, _ := procCPU(pid)
			s.postgres += t
		case "redis-server":
			t, _ := procCPU(pid)
			s.redis += t
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
	sw, pg, rd, lg := per(a.switchCPU, b.switchCPU), per(a.postgres, b.postgres), per(a.redis, b.redis), per(a.loadgen, b.loadgen)
	side := sw + pg + rd
	line := fmt.Sprintf("CPU per %s: switch %.2fms, PostgreSQL %.2fms, Redis %.2fms (together %.2fms), loadgen %.2fms", unit, sw, pg, rd, side, lg)
	if alongside != "" {
		return line + " (" + alongside + " included)"
	}
	return line + fmt.Sprintf(" (its sandbox and parents); 2 cores would carry %.0f/s of the switch's side alone", 2000/max(side, 0.001))
}
