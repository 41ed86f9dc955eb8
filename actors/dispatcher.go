package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// workerDispatcher runs mailboxes on reused goroutines instead of a new goroutine per
// scheduling (protoactor's default). A fresh goroutine starts with a small stack and
// grows it by copying whenever a message goes deep (protobuf reflection, AES), which
// costs about a tenth of the switch's CPU under load; a reused one keeps its stack.
// Idle workers exit after idleWorker, so the pool follows the load.
type workerDispatcher struct {
	work       chan func()
	throughput int
}

const idleWorker = 30 * time.Second

// mailboxThroughput is how many messages a mailbox run handles before yielding
// (protoactor's default).
const mailboxThroughput = 300

// newWorkerDispatcher returns a dispatcher whose mailbox runs process up to throughput
// messages before yielding (as protoactor's default dispatcher does).
func newWorkerDispatcher(throughput int) actor.Dispatcher {
	return &workerDispatcher{work: make(chan func()), throughput: throughput}
}

// Schedule hands fn to an idle worker, or starts one: never blocks, and never runs
// more goroutines than the default dispatcher would.
func (d *workerDispatcher) Schedule(fn func()) {
	select {
	case d.work <- fn:
	default:
		go d.worker(fn)
	}
}

func (d *workerDispatcher) Throughput() int { return d.throughput }

func (d *workerDispatcher) worker(fn func()) {
	idle := time.NewTimer(idleWorker)
	defer idle.Stop()
	for {
		fn()
		idle.Reset(idleWorker)
		select {
		case fn = <-d.work:
		case <-idle.C:
			return
		}
	}
}
