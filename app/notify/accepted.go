package notify

import "sync"

// maxAccepted bounds the deliveries a Router remembers.
const maxAccepted = 4096

// deliveryKey names one delivery: a message on a channel to an address (kept in
// memory only, never logged).
type deliveryKey struct {
	id int64
	ch ChannelName
	to string
}

// accepted remembers the most recent deliveries providers accepted on channels
// that do not de-duplicate (WeChat, e-mail). A message is sent again when one of
// its deliveries failed for now (it stays in the outbox); the deliveries already
// accepted are not repeated. SMS providers de-duplicate on the out id; a WeChat
// template message carries no key the API could de-duplicate on, so without this
// a guardian reached by WeChat would get the notice again each time another
// guardian's SMS gateway is down. It is this process's memory, a cache in
// front of the durable record (RouterConfig.Deliveries, read when a notice is
// sent again), which a restart or another member after a lease still finds.
type accepted struct {
	mu    sync.Mutex
	keys  map[deliveryKey]struct{}
	order []deliveryKey // a ring of the keys, oldest replaced first
	next  int
}

func (a *accepted) has(k deliveryKey) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.keys[k]
	return ok
}

func (a *accepted) add(k deliveryKey) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.keys == nil {
		a.keys = make(map[deliveryKey]struct{}, maxAccepted)
	}
	if _, ok := a.keys[k]; ok {
		return
	}
	if len(a.order) < maxAccepted {
		a.order = append(a.order, k)
	} else {
		delete(a.keys, a.order[a.next])
		a.order[a.next] = k
		a.next = (a.next + 1) % maxAccepted
	}
	a.keys[k] = struct{}{}
}
