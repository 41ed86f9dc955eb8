package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/onecode/onecode/domain/reason"

	"github.com/onecode/onecode/domain/money"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	"github.com/onecode/onecode/terminalclient"
)

const posHelp = `Scan dish barcodes, then the pupil's card (a line starting with OC1:) to pay the cart.
  <barcode> [qty]  add a dish (a scanner types the code and Enter)
  OC1:...          the card QR: pay the cart
  /override        approve the last declined card as arrears (new sale)
  /void            void the last approved sale
  /retry           ask again about a sale whose outcome is unknown
  /clear           empty the cart
  /help            this text
  /quit            leave
`

const (
	posMaxLine      = 4096 // bytes in one input line
	posPayAttempts  = 3    // sends of one pay (same seq) before giving up as unknown
	posSecretEnv    = "ONECODE_TERMINAL_SECRET"
	posDefaultAddr  = "127.0.0.1:9090"
	posDefaultTimer = 10 * time.Second
)

type posConfig struct {
	addr      string
	terminal  string
	secret    []byte
	stateFile string
	operator  string
	timeout   time.Duration
}

// runPOS is `onecode pos`: a cashier's terminal on stdin/stdout.
func runPOS(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parsePOSFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "onecode pos:", err)
		return 2
	}
	p := &pos{cfg: cfg, out: stdout, seq: &posSeq{path: cfg.stateFile}}
	if err := p.seq.load(); err != nil {
		fmt.Fprintln(stderr, "onecode pos:", err)
		return 1
	}
	if err := p.connect(); err != nil {
		fmt.Fprintln(stderr, "onecode pos: connect:", err)
		return 1
	}
	defer func() { p.session.Close() }()
	w := p.session.Welcome()
	fmt.Fprintf(stdout, "connected: terminal %s, canteen %s (%s), next sale #%d. /help for commands.\n",
		cfg.terminal, w.GetCanteenName(), w.GetCanteenId(), p.seq.n+1)

	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 0, 256), posMaxLine)
	for in.Scan() {
		if !p.handle(strings.TrimSpace(in.Text())) {
			return 0
		}
		p.drainPushes()
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(stderr, "onecode pos: input:", err)
		return 1
	}
	return 0
}

func parsePOSFlags(args []string, stderr io.Writer) (posConfig, error) {
	fs := flag.NewFlagSet("onecode pos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg posConfig
	var secretFile string
	fs.StringVar(&cfg.addr, "addr", posDefaultAddr, "gRPC address of the switch")
	fs.StringVar(&cfg.terminal, "terminal", "", "terminal id (required)")
	fs.StringVar(&secretFile, "secret-file", "", "file holding the device secret in hex (default: $"+posSecretEnv+")")
	fs.StringVar(&cfg.stateFile, "state-file", "", "file keeping the last sale number (default ./pos-<terminal>.seq)")
	fs.StringVar(&cfg.operator, "operator", "", "operator name recorded with overrides")
	fs.DurationVar(&cfg.timeout, "timeout", posDefaultTimer, "bound of one request to the switch")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: onecode pos --terminal ID [--addr host:port] [--secret-file f] [--state-file f]\n\n%s\nFlags:\n", posHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	case cfg.terminal == "":
		return cfg, errors.New("--terminal is required")
	case cfg.timeout <= 0 || cfg.timeout > 5*time.Minute:
		return cfg, fmt.Errorf("--timeout %s out of (0, 5m]", cfg.timeout)
	}
	if cfg.stateFile == "" {
		cfg.stateFile = "pos-" + filepath.Base(cfg.terminal) + ".seq"
	}
	text := os.Getenv(posSecretEnv)
	if secretFile != "" {
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return cfg, fmt.Errorf("secret: %w", err)
		}
		text = string(b)
	}
	secret, err := hex.DecodeString(strings.TrimSpace(text))
	if err != nil || len(secret) == 0 {
		return cfg, errors.New("secret: give the device secret (hex) with --secret-file or $" + posSecretEnv)
	}
	cfg.secret = secret
	return cfg, nil
}

// pos is the cashier's state: the switch session, the cart it shows, the last sales.
type pos struct {
	cfg     posConfig
	out     io.Writer
	session *terminalclient.Session
	seq     *posSeq
	cart    *apiv1.Cart
	// declined is the last declined pay, which /override approves as arrears.
	declined *apiv1.Pay
	// approved is the seq of the last approved pay, which /void voids.
	approved uint64
	// unsure is a pay or void whose outcome is unknown, which /retry re-sends.
	unsure *apiv1.SessionRequest
}

func (p *pos) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), p.cfg.timeout)
}

func (p *pos) connect() error {
	ctx, cancel := p.ctx()
	defer cancel()
	s, err := terminalclient.Dial(ctx, p.cfg.addr, p.cfg.terminal, p.cfg.secret)
	if err != nil {
		return err
	}
	if p.session != nil {
		p.session.Close()
	}
	p.session = s
	// Continue above what the switch committed, if it knows (best effort).
	if last := s.Welcome().GetLastSeq(); last > p.seq.n {
		p.seq.n = last
	}
	return nil
}

// handle runs one input line; false means quit.
func (p *pos) handle(line string) bool {
	switch {
	case line == "":
	case strings.HasPrefix(line, "OC1:"):
		p.pay(line)
	case line == "/quit" || line == "/exit":
		return false
	case line == "/help":
		fmt.Fprint(p.out, posHelp)
	case line == "/clear":
		p.clear()
	case line == "/override":
		p.override()
	case line == "/void":
		p.void()
	case line == "/retry":
		p.retry()
	case strings.HasPrefix(line, "/"):
		fmt.Fprintf(p.out, "unknown command %s (/help)\n", line)
	default:
		p.scan(line)
	}
	return true
}

func (p *pos) scan(line string) {
	barcode, qtyText, _ := strings.Cut(line, " ")
	qty := int64(1)
	if qtyText = strings.TrimSpace(qtyText); qtyText != "" {
		var err error
		if qty, err = strconv.ParseInt(qtyText, 10, 32); err != nil || qty < 1 {
			fmt.Fprintf(p.out, "REJECTED %s: quantity %q is not a whole number ≥ 1\n", barcode, qtyText)
			return
		}
	}
	ctx, cancel := p.ctx()
	defer cancel()
	cart, err := p.session.Scan(ctx, barcode, int32(qty))
	if p.failed(err) {
		return
	}
	p.cart = cart
	if cart.GetRejectedBarcode() != "" {
		fmt.Fprintf(p.out, "REJECTED %s: %s\n", cart.GetRejectedBarcode(), reasonText(cart.GetReason()))
	}
	p.printCart()
}

func (p *pos) clear() {
	ctx, cancel := p.ctx()
	defer cancel()
	cart, err := p.session.Clear(ctx)
	if p.failed(err) {
		return
	}
	p.cart = cart
	p.printCart()
}

func (p *pos) printCart() {
	lines := p.cart.GetLines()
	if len(lines) == 0 {
		fmt.Fprintln(p.out, "cart empty")
		return
	}
	for _, l := range lines {
		fmt.Fprintf(p.out, "  %-10s %s  %d x %s = %s\n", l.GetBarcode(), l.GetName(), l.GetQty(),
			money.Amount(l.GetUnitPriceFen()), money.Amount(l.GetLineTotalFen()))
	}
	fmt.Fprintf(p.out, "TOTAL %s\n", money.Amount(p.cart.GetTotalFen()))
}

func (p *pos) pay(qr string) {
	if len(p.cart.GetLines()) == 0 {
		fmt.Fprintln(p.out, "cart empty: scan the dishes first")
		return
	}
	refs := make([]*apiv1.LineRef, 0, len(p.cart.GetLines()))
	for _, l := range p.cart.GetLines() {
		refs = append(refs, &apiv1.LineRef{Barcode: l.GetBarcode(), Qty: l.GetQty()})
	}
	p.sendPay(&apiv1.Pay{CardQr: qr, Lines: refs, ExpectedTotalFen: p.cart.GetTotalFen()})
}

func (p *pos) override() {
	if p.declined == nil {
		fmt.Fprintln(p.out, "nothing to override: the last card was not declined for insufficient funds")
		return
	}
	pay := &apiv1.Pay{CardQr: p.declined.GetCardQr(), Lines: p.declined.GetLines(),
		ExpectedTotalFen: p.declined.GetExpectedTotalFen(), Override: true, Operator: p.cfg.operator}
	p.sendPay(pay)
}

// sendPay gives the pay a new seq and sends it.
func (p *pos) sendPay(pay *apiv1.Pay) {
	seq, err := p.seq.next()
	if err != nil {
		fmt.Fprintln(p.out, "ERROR cannot record the sale number, not paying:", err)
		return
	}
	pay.Seq = seq
	p.send(&apiv1.SessionRequest{Msg: &apiv1.SessionRequest_Pay{Pay: pay}})
}

func (p *pos) void() {
	if p.approved == 0 {
		fmt.Fprintln(p.out, "nothing to void: no approved sale in this session")
		return
	}
	seq, err := p.seq.next()
	if err != nil {
		fmt.Fprintln(p.out, "ERROR cannot record the sale number, not voiding:", err)
		return
	}
	p.send(&apiv1.SessionRequest{Msg: &apiv1.SessionRequest_VoidSale{VoidSale: &apiv1.VoidSale{Seq: seq, PaySeq: p.approved}}})
}

func (p *pos) retry() {
	if p.unsure == nil {
		fmt.Fprintln(p.out, "nothing to retry")
		return
	}
	p.send(p.unsure)
}

// send sends a pay or void, re-sending the same seq (reconnecting if needed) while the
// outcome is unknown, and prints the outcome.
func (p *pos) send(req *apiv1.SessionRequest) {
	p.unsure = nil
	for attempt := 1; attempt <= posPayAttempts; attempt++ {
		if p.session.Err() != nil {
			if err := p.connect(); err != nil {
				fmt.Fprintln(p.out, "reconnect failed:", err)
				continue
			}
		}
		ctx, cancel := p.ctx()
		var err error
		if pay := req.GetPay(); pay != nil {
			var r *apiv1.PayResult
			if r, err = p.session.Pay(ctx, pay); err == nil {
				p.payOutcome(pay, r)
			}
		} else {
			var r *apiv1.VoidResult
			if r, err = p.session.Void(ctx, req.GetVoidSale().GetSeq(), req.GetVoidSale().GetPaySeq()); err == nil {
				p.voidOutcome(r)
			}
		}
		cancel()
		if !errors.Is(err, terminalclient.ErrOutcomeUnknown) {
			p.failed(err)
			return
		}
		fmt.Fprintf(p.out, "no answer for sale #%d, asking again\n", reqSeq(req))
	}
	p.unsure = req
	fmt.Fprintf(p.out, "UNKNOWN outcome of sale #%d: do not charge again; /retry to ask again\n", reqSeq(req))
}

func reqSeq(req *apiv1.SessionRequest) uint64 {
	if pay := req.GetPay(); pay != nil {
		return pay.GetSeq()
	}
	return req.GetVoidSale().GetSeq()
}

func (p *pos) payOutcome(pay *apiv1.Pay, r *apiv1.PayResult) {
	if r.GetOutcome() == apiv1.PayResult_OUTCOME_APPROVED {
		p.declined, p.approved, p.cart = nil, r.GetSeq(), nil
		kind := ""
		if r.GetArrears() {
			kind = " AS ARREARS"
		}
		note := ""
		if r.GetReplayed() {
			note = "  (already paid: same sale)"
		}
		fmt.Fprintf(p.out, "APPROVED%s %s  balance %s  %s%s\n", kind, money.Amount(r.GetAmountFen()),
			money.Amount(r.GetBalanceAfterFen()), r.GetMaskedName(), note)
		return
	}
	p.declined = nil
	if reason.Code(r.GetReason()) == reason.InsufficientFunds { // the one decline an override can approve
		p.declined = pay
	}
	switch reason.Code(r.GetReason()) {
	case reason.InsufficientFunds:
		fmt.Fprintf(p.out, "DECLINED %s (balance %s, arrears available %s) — /override to approve as arrears\n",
			r.GetMessage(), money.Amount(r.GetBalanceAfterFen()), money.Amount(r.GetArrearsAvailableFen()))
	case reason.ArrearsCapExceeded:
		fmt.Fprintf(p.out, "DECLINED %s (balance %s, arrears available %s)\n",
			r.GetMessage(), money.Amount(r.GetBalanceAfterFen()), money.Amount(r.GetArrearsAvailableFen()))
	case reason.PriceChanged:
		fmt.Fprintf(p.out, "DECLINED %s — /clear and scan the dishes again\n", r.GetMessage())
	default:
		fmt.Fprintf(p.out, "DECLINED %s\n", r.GetMessage())
	}
}

func (p *pos) voidOutcome(r *apiv1.VoidResult) {
	if r.GetVoided() {
		p.approved = 0
		fmt.Fprintf(p.out, "VOIDED %s  balance %s\n", money.Amount(r.GetAmountFen()), money.Amount(r.GetBalanceAfterFen()))
		return
	}
	fmt.Fprintf(p.out, "VOID REFUSED %s\n", r.GetMessage())
}

// failed prints a request's error; true when there was one.
func (p *pos) failed(err error) bool {
	if err == nil {
		return false
	}
	var se *terminalclient.SessionError
	if errors.As(err, &se) {
		fmt.Fprintf(p.out, "ERROR %s\n", se.Message)
		return true
	}
	fmt.Fprintf(p.out, "ERROR %v\n", err)
	if p.session.Err() != nil {
		if cerr := p.connect(); cerr != nil {
			fmt.Fprintln(p.out, "reconnect failed:", cerr)
		} else {
			fmt.Fprintln(p.out, "reconnected: scan the dishes again")
			p.cart = nil
		}
	}
	return true
}

func (p *pos) drainPushes() {
	for {
		select {
		case push := <-p.session.Pushes():
			if c := push.GetCatalogChanged(); c != nil {
				fmt.Fprintf(p.out, "catalog changed (version %d): prices may differ, /clear and scan again\n", c.GetCatalogVersion())
			}
		default:
			return
		}
	}
}

func reasonText(r string) string {
	switch reason.Code(r) {
	case reason.UnknownDish:
		return "dish not sold here"
	case reason.DishWithdrawn:
		return "dish withdrawn"
	case reason.InvalidQty:
		return "invalid quantity"
	case reason.CartFull:
		return "cart full"
	}
	return strings.ToLower(strings.ReplaceAll(r, "_", " "))
}

// posSeq is the terminal's sale number, kept in a file so that a restarted POS
// continues above every number it used. The number is written before the request goes
// out: a number is never used twice for different sales.
type posSeq struct {
	path string
	n    uint64
}

func (s *posSeq) load() error {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if s.n, err = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err != nil {
		return fmt.Errorf("state file %s: not a sale number", s.path)
	}
	return nil
}

func (s *posSeq) next() (uint64, error) {
	n := s.n + 1
	tmp := s.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, err
	}
	_, err = fmt.Fprintf(f, "%d\n", n)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.path)
	}
	if err != nil {
		return 0, err
	}
	s.n = n
	return n, nil
}
