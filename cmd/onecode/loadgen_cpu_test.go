package main

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestGrown: a process new in the later sample counts from its start, one gone
// from it is not counted, so a backend that exits never makes the sum shrink.
func TestGrown(t *testing.T) {
	a := map[int]time.Duration{1: 100 * time.Millisecond, 2: 50 * time.Millisecond}
	b := map[int]time.Duration{1: 130 * time.Millisecond, 3: 20 * time.Millisecond} // 2 exited, 3 started
	if got, want := grown(a, b), 50*time.Millisecond; got != want {
		t.Fatalf("grown = %v, want %v", got, want)
	}
}

// TestProcCPU reads this process's CPU time from /proc and sees it grow while
// the test spins.
func TestProcCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	t0, ok := procCPU(os.Getpid())
	if !ok {
		t.Fatal("procCPU of this process: not read")
	}
	deadline := time.Now().Add(30 * time.Second)
	for x := 0; ; x++ { // spin until the clock tick shows the work
		if t1, _ := procCPU(os.Getpid()); t1 > t0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CPU time stayed %v while spinning", t0)
		}
		for i := 0; i < 1_000_000; i++ {
			x ^= i
		}
	}
	if _, ok := procCPU(-1); ok {
		t.Fatal("procCPU(-1) read something")
	}
	roles := cpuRoles{switchPID: os.Getpid(), loadgenPID: os.Getpid()}
	a := roles.sample()
	a.at = a.at.Add(-time.Second)
	if line := cpuCores(a, roles.sample()); !strings.Contains(line, "cores busy") {
		t.Fatalf("cpuCores = %q", line)
	}
	if line := cpuCores(cpuSample{}, roles.sample()); line != "" {
		t.Fatalf("cpuCores without a first sample = %q, want empty", line)
	}
	if line := cpuPer(a, roles.sample(), 10, "bill", ""); !strings.Contains(line, "2 cores would carry") {
		t.Fatalf("cpuPer = %q", line)
	}
}
