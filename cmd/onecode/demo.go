package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/fees"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// The demo school, seeded by "onecode serve --demo" through the AdminService.
const (
	demoSchoolID   = "35001"
	demoCanteenID  = "C1"
	demoTerminalID = "T1"
	// demoSeedTimeout bounds the whole seeding.
	demoSeedTimeout = 2 * time.Minute
	// operatorTokenFile is the operator token under the data dir.
	operatorTokenFile = "operator.token"
	// operatorTokenBytes is the randomness of a new operator token (hex-encoded).
	operatorTokenBytes = 32
	// maxOperatorTokenLen bounds what is read back from the token file.
	maxOperatorTokenLen = 256
)

var demoSchool = &apiv1.School{
	Id: demoSchoolID, Name: "OneCode Demo School",
	SingleRechargeMaxFen: 100_000, BalanceCapFen: 200_000, DailySpendCapFen: 10_000, ArrearsCapFen: 3_000,
	VoidWindowSeconds: 600,
}

var demoClasses = []*apiv1.Class{
	{SchoolId: demoSchoolID, Id: "3-1", Name: "三年级1班 (3-1)", Grade: 3},
	{SchoolId: demoSchoolID, Id: "3-2", Name: "三年级2班 (3-2)", Grade: 3},
}

var demoDishes = []*apiv1.Dish{
	{Barcode: "D1001", Name: "米饭 Rice", PriceFen: 100, Kcal: 232, ProteinMg: 5_200, FatMg: 600, CarbMg: 51_000},
	{Barcode: "D1002", Name: "番茄炒蛋 Tomato & egg", PriceFen: 600, Kcal: 180, ProteinMg: 9_500, FatMg: 12_000, CarbMg: 8_000, Allergens: []string{"egg"}},
	{Barcode: "D1003", Name: "红烧肉 Braised pork", PriceFen: 1_200, Kcal: 450, ProteinMg: 15_000, FatMg: 38_000, CarbMg: 12_000, Allergens: []string{"soy", "wheat"}},
	{Barcode: "D1004", Name: "清炒时蔬 Stir-fried greens", PriceFen: 400, Kcal: 70, ProteinMg: 2_500, FatMg: 4_000, CarbMg: 6_000},
	{Barcode: "D1005", Name: "紫菜蛋花汤 Seaweed & egg soup", PriceFen: 200, Kcal: 45, ProteinMg: 3_000, FatMg: 2_000, CarbMg: 3_000, Allergens: []string{"egg"}},
	{Barcode: "D1006", Name: "牛奶 Milk 250 ml", PriceFen: 350, Kcal: 160, ProteinMg: 8_000, FatMg: 9_000, CarbMg: 12_000, Allergens: []string{"milk"}},
}

// demoPupil is one seeded pupil and the subsidy that gives it a balance. The ID
// numbers are made up (valid check characters, no real person).
type demoPupil struct {
	row        *apiv1.PupilRow
	subsidyFen int64
}

var demoPupils = []demoPupil{
	{&apiv1.PupilRow{StudentNo: "2024000101", Name: "王梓涵", ClassId: "3-1", IdNumber: "350102201503120020"}, 20_000},
	{&apiv1.PupilRow{StudentNo: "2024000102", Name: "李浩然", ClassId: "3-1", IdNumber: "350102201506071017"}, 15_000},
	{&apiv1.PupilRow{StudentNo: "2024000103", Name: "张欣怡", ClassId: "3-1", IdNumber: "350102201511200485"}, 12_000},
	{&apiv1.PupilRow{StudentNo: "2024000104", Name: "刘宇轩", ClassId: "3-1", IdNumber: "350103201602030158"}, 18_000},
	{&apiv1.PupilRow{StudentNo: "2024000201", Name: "陈雨桐", ClassId: "3-2", IdNumber: "350102201508150261"}, 10_000},
	{&apiv1.PupilRow{StudentNo: "2024000202", Name: "杨子墨", ClassId: "3-2", IdNumber: "350102201510090333"}, 16_000},
	{&apiv1.PupilRow{StudentNo: "2024000203", Name: "欧阳一诺", ClassId: "3-2", IdNumber: "350103201601180744"}, 9_000},
	// A small balance, to try a short purchase and the arrears override.
	{&apiv1.PupilRow{StudentNo: "2024000204", Name: "黄俊杰", ClassId: "3-2", IdNumber: "350102201504250572"}, 300},
}

// demoInfo says where the demo is and what to try.
type demoInfo struct {
	SchoolID   string
	TerminalID string
	// Seeded is false when the demo was already there (nothing was written).
	Seeded bool
	// SampleAccount is an account to look up.
	SampleAccount string
	// Files under <data>/demo: the terminal's device secret (hex) and the cards
	// (student no, masked name, QR text; tab-separated).
	SecretFile string
	CardsFile  string
	// StaffFile lists the demo staff accounts and their first passwords.
	StaffFile string
}

func demoFiles(dataDir string) (secretFile, cardsFile string) {
	dir := filepath.Join(dataDir, "demo")
	return filepath.Join(dir, "terminal-"+demoTerminalID+".secret"), filepath.Join(dir, "cards.txt")
}

// demoAddrs are where the running switch can be reached, as bound (a port 0 in the
// configuration is the real port here), and how to run this binary.
type demoAddrs struct {
	HTTP, GRPC string
	// Sandbox is the base URL of the in-process sandbox aggregator; empty when a
	// real aggregator is configured.
	Sandbox string
	// PushSandbox is the base URL of the in-process push sandbox (SMS and WeChat
	// APIs); empty when a real SMS gateway is configured.
	PushSandbox string
	// AlipaySandbox is the base URL of the demo's Alipay sandbox (school 35002's
	// merchant); empty when none runs.
	AlipaySandbox string
	// Binary runs this program from the working directory, e.g. bin/onecode;
	// empty: selfPath().
	Binary string
}

// runDemo seeds the demo school (first start only) and prints how to try it. serve
// calls it once the servers listen.
// The operator token is not printed: the guide reads it from its file.
func runDemo(ctx context.Context, admin apiv1.AdminServiceServer, feeSvc *fees.Service, dir directory.Store, cfg Config, addrs demoAddrs, out io.Writer) error {
	info, err := seedDemo(ctx, admin, cfg.Server.DataDir, time.Now())
	if err != nil {
		return err
	}
	if info.Seeded && feeSvc != nil {
		if err := seedDemoFees(ctx, feeSvc, time.Now()); err != nil {
			return err
		}
	}
	if err := seedDemoAlipaySchool(ctx, admin, time.Now()); err != nil {
		return err
	}
	if info.StaffFile, err = seedDemoStaff(ctx, dir, cfg.Server.DataDir, rand.Reader); err != nil {
		return err
	}
	if addrs.Binary == "" {
		addrs.Binary = selfPath()
	}
	printDemoGuide(out, info, cfg.Server.DataDir, addrs)
	return nil
}

// selfPath is how to run this binary from the working directory: relative when it
// is below it (bin/onecode), else absolute.
func selfPath() string {
	exe, err := os.Executable()
	if err != nil {
		return "onecode"
	}
	wd, err := os.Getwd()
	if err != nil {
		return exe
	}
	rel, err := filepath.Rel(wd, exe)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return exe
	}
	if !strings.ContainsRune(rel, filepath.Separator) {
		rel = "." + string(filepath.Separator) + rel // a bare name would be looked up in PATH
	}
	return rel
}

// demoStaff are the demo's staff accounts: a school admin and the teacher of class 3-1.
var demoStaff = []directory.StaffUser{
	{ID: "demo-admin", SchoolID: "35001", Username: "admin", Role: directory.RoleSchoolAdmin},
	{ID: "demo-teacher-31", SchoolID: "35001", Username: "teacher31", Role: directory.RoleTeacher, ClassID: "3-1"},
}

// seedDemoStaff creates the demo staff with random passwords, written once to
// <dataDir>/demo/staff.txt (0600); existing accounts are left alone.
func seedDemoStaff(ctx context.Context, dir directory.Store, dataDir string, rnd io.Reader) (string, error) {
	path := filepath.Join(dataDir, "demo", "staff.txt")
	var b strings.Builder
	for _, u := range demoStaff {
		if _, err := dir.StaffByUsername(ctx, u.SchoolID, u.Username); err == nil {
			continue
		} else if !errors.Is(err, directory.ErrNotFound) {
			return "", err
		}
		raw := make([]byte, 12)
		if _, err := io.ReadFull(rnd, raw); err != nil {
			return "", err
		}
		pw := hex.EncodeToString(raw)
		h, err := access.HashPassword(pw, access.DefaultPasswordParams, rnd)
		if err != nil {
			return "", err
		}
		u.PasswordHash, u.Status = h, directory.StaffActive
		if err := dir.PutStaff(ctx, u); err != nil {
			return "", fmt.Errorf("demo staff %s: %w", u.Username, err)
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\n", u.Username, u.Role, pw)
	}
	if b.Len() > 0 {
		if err := writePrivateFile(path, []byte("username\trole\tpassword\n"+b.String())); err != nil {
			return "", err
		}
	}
	return path, nil
}

// seedDemo seeds school 35001 through the AdminService, in process: classes, pupils
// with open accounts and subsidies, a canteen with its dishes, terminal T1 (override
// allowed), and writes the terminal secret and the cards under <dataDir>/demo.
//
// It runs once: when the first demo pupil's account exists it writes nothing and
// answers Seeded false. Every step is itself idempotent (puts, the import, subsidies
// keyed by request id; a registered T1 keeps its secret file), so a first start that
// failed midway seeds again cleanly, unless it failed after the import, in which case
// the pupils miss part of their subsidies.
func seedDemo(ctx context.Context, admin apiv1.AdminServiceServer, dataDir string, now time.Time) (demoInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, demoSeedTimeout)
	defer cancel()
	secretFile, cardsFile := demoFiles(dataDir)
	info := demoInfo{
		SchoolID: demoSchoolID, TerminalID: demoTerminalID, SecretFile: secretFile, CardsFile: cardsFile,
		SampleAccount: gateway.AccountID(demoSchoolID, demoPupils[0].row.GetStudentNo()),
	}
	_, err := admin.GetAccount(ctx, &apiv1.GetAccountRequest{AccountId: info.SampleAccount})
	switch status.Code(err) {
	case codes.OK:
		return info, nil
	case codes.NotFound:
	default:
		return info, fmt.Errorf("demo: is it seeded? %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(secretFile), 0o700); err != nil {
		return info, fmt.Errorf("demo dir: %w", err)
	}
	if err := seedDemoDirectory(ctx, admin, secretFile); err != nil {
		return info, err
	}
	if err := seedDemoPupils(ctx, admin, cardsFile, now); err != nil {
		return info, err
	}
	info.Seeded = true
	return info, nil
}

// seedDemoDirectory puts the school, classes, canteen and dishes, and registers T1.
func seedDemoDirectory(ctx context.Context, admin apiv1.AdminServiceServer, secretFile string) error {
	if _, err := admin.PutSchool(ctx, &apiv1.PutSchoolRequest{School: demoSchool}); err != nil {
		return fmt.Errorf("demo school: %w", err)
	}
	for _, c := range demoClasses {
		if _, err := admin.PutClass(ctx, &apiv1.PutClassRequest{Class: c}); err != nil {
			return fmt.Errorf("demo class %s: %w", c.GetId(), err)
		}
	}
	canteen := &apiv1.Canteen{SchoolId: demoSchoolID, Id: demoCanteenID, Name: "Canteen 1"}
	if _, err := admin.PutCanteen(ctx, &apiv1.PutCanteenRequest{Canteen: canteen}); err != nil {
		return fmt.Errorf("demo canteen: %w", err)
	}
	for _, d := range demoDishes {
		dish := &apiv1.Dish{
			CanteenId: demoCanteenID, Barcode: d.GetBarcode(), Name: d.GetName(), PriceFen: d.GetPriceFen(),
			Kcal: d.GetKcal(), ProteinMg: d.GetProteinMg(), FatMg: d.GetFatMg(), CarbMg: d.GetCarbMg(),
			Allergens: d.GetAllergens(), Active: proto.Bool(true),
		}
		if _, err := admin.PutDish(ctx, &apiv1.PutDishRequest{Dish: dish}); err != nil {
			return fmt.Errorf("demo dish %s: %w", d.GetBarcode(), err)
		}
	}
	reg, err := admin.RegisterTerminal(ctx, &apiv1.RegisterTerminalRequest{
		TerminalId: demoTerminalID, CanteenId: demoCanteenID, Name: "Canteen 1 window 1", CanOverride: true,
	})
	if status.Code(err) == codes.AlreadyExists {
		// Registered by an earlier, interrupted start: its secret is in the file.
		if _, serr := os.Stat(secretFile); serr != nil {
			return fmt.Errorf("demo: terminal %s is registered but its secret file is missing (%v): remove the data dir to seed again", demoTerminalID, serr)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo terminal: %w", err)
	}
	return writePrivateFile(secretFile, []byte(reg.GetSecret()+"\n"))
}

// seedDemoPupils imports the pupils, writes their cards and grants the subsidies.
func seedDemoPupils(ctx context.Context, admin apiv1.AdminServiceServer, cardsFile string, now time.Time) error {
	rows := make([]*apiv1.PupilRow, len(demoPupils))
	names := map[string]string{}
	for i, p := range demoPupils {
		rows[i] = p.row
		names[p.row.GetStudentNo()] = p.row.GetName()
	}
	// Cards are valid through the end of next school year.
	expiry := time.Date(now.Year()+1, time.August, 31, 0, 0, 0, 0, time.UTC).Format("20060102")
	imp, err := admin.ImportPupils(ctx, &apiv1.ImportPupilsRequest{SchoolId: demoSchoolID, Pupils: rows, CardExpiry: expiry})
	if err != nil {
		return fmt.Errorf("demo pupils: %w", err)
	}
	if len(imp.GetErrors()) > 0 {
		e := imp.GetErrors()[0]
		return fmt.Errorf("demo pupils: row %d: %s: %s", e.GetRow(), e.GetReason(), e.GetMessage())
	}
	var b strings.Builder
	b.WriteString("# OneCode demo cards (school " + demoSchoolID + "): student no, name (masked), card QR text; tab-separated.\n")
	b.WriteString("# Paste the QR text (last column) into the POS to pay with that card.\n")
	for _, p := range imp.GetPupils() {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", p.GetStudentNo(), actors.MaskName(names[p.GetStudentNo()]), p.GetCardQr())
	}
	if err := writePrivateFile(cardsFile, []byte(b.String())); err != nil {
		return err
	}
	for _, p := range demoPupils {
		_, err := admin.GrantSubsidy(ctx, &apiv1.GrantSubsidyRequest{
			AccountId: gateway.AccountID(demoSchoolID, p.row.GetStudentNo()), AmountFen: p.subsidyFen,
			Reason: "demo: opening meal subsidy", RequestId: "demo-subsidy-" + p.row.GetStudentNo(),
		})
		if err != nil {
			return fmt.Errorf("demo subsidy of %s: %w", p.row.GetStudentNo(), err)
		}
	}
	return nil
}

// printDemoGuide prints how to try the demo, with the addresses as bound and this
// binary's path.
func printDemoGuide(w io.Writer, info demoInfo, dataDir string, a demoAddrs) {
	state := "seeded now"
	if !info.Seeded {
		state = "already seeded at an earlier start; nothing changed"
	}
	tokenFile := filepath.Join(dataDir, operatorTokenFile)
	fmt.Fprintf(w, `
OneCode demo: school %[1]s "%[2]s" (%[3]s).
  health:    curl http://%[4]s/healthz
  info:      curl http://%[4]s/v1/info
  account:   curl -H "Authorization: Bearer $(cat %[6]s)" http://%[4]s/v1/admin/accounts/%[7]s
  terminal:  %[11]s pos --addr %[5]s --terminal %[8]s --secret-file %[9]s
             scan dishes D1001..D1006, then paste the QR text (last column) of a line of %[10]s
             (student 2024000204 has 3.00 CNY: try a short purchase and the override)
  files:     operator token %[6]s, terminal secret %[9]s, cards %[10]s
  operator:  http://%[4]s/console/ → "Operator login" with the operator token: members,
             journal, terminals, alarms (quit the pos above: a terminal-offline alarm follows)
`, info.SchoolID, demoSchool.GetName(), state, a.HTTP, a.GRPC, tokenFile, info.SampleAccount,
		info.TerminalID, info.SecretFile, info.CardsFile, a.Binary)
	pay := "pay it at the configured payment aggregator"
	if a.Sandbox != "" {
		pay = "pay it in the sandbox aggregator (--sandbox-addr): curl -X POST " + a.Sandbox + "/sandbox/pay/<orderId>"
	}
	codeAt := "(the code is in " + filepath.Join(dataDir, "outbox.jsonl") + ")"
	if a.PushSandbox != "" {
		codeAt = "(the code arrives in the push sandbox's SMS inbox (--push-sandbox-addr): " + a.PushSandbox +
			"/sandbox/ , as JSON: curl " + a.PushSandbox + "/sandbox/messages)\n" +
			"             link WeChat on the H5 (消息通知设置 → 绑定微信, through the sandbox's OAuth page):\n" +
			"             notices then arrive as WeChat template messages on the same page"
	}
	fmt.Fprintf(w, `  staff:     school admin and a teacher of class 3-1; passwords in %[1]s
             curl -X POST http://%[2]s/v1/auth/staff/login -d '{"schoolId":"35001","username":"admin","password":"…"}'
  parent:    curl -X POST http://%[2]s/v1/auth/parent/code -d '{"phone":"13900001111"}'
             %[4]s
             curl -X POST http://%[2]s/v1/auth/parent/login -d '{"phone":"13900001111","code":"…"}'
             then with "Authorization: Bearer <token>": POST /v1/parent/children:find
             {"schoolId":"35001","name":"王梓涵","studentNo":"2024000101"}, POST /v1/parent/children:bind
             {"bindTicket":"…","idNumber":"350102201503120020"} (or a "bindCode" from the admin's
             POST /v1/staff/pupils/acc_35001_2024000101:issueBindCode),
             POST /v1/parent/children/acc_35001_2024000101/recharges {"amountFen":5000,"requestId":"r1"}
             and %[3]s
`, info.StaffFile, a.HTTP, pay, codeAt)
	if a.AlipaySandbox != "" {
		p := demoAlipayPupils[0]
		fmt.Fprintf(w, "  alipay:    school %s (accounts %s, …) pays through the Alipay sandbox %s: its payUrl opens the sandbox's pay page\n"+
			"             (bind {\"schoolId\":\"%s\",\"name\":\"%s\",\"studentNo\":\"%s\"} with idNumber %s)\n",
			demoAlipaySchoolID, gateway.AccountID(demoAlipaySchoolID, p.GetStudentNo()), a.AlipaySandbox,
			demoAlipaySchoolID, p.GetName(), p.GetStudentNo(), p.GetIdNumber())
	}
	fmt.Fprint(w, "Stop with Ctrl-C.\n")
	for _, f := range []string{info.SecretFile, info.CardsFile} {
		if _, err := os.Stat(f); err != nil {
			fmt.Fprintf(w, "  note: %s is missing (%v); remove the data dir to seed the demo again\n", f, err)
		}
	}
}

// loadOrCreateOperatorToken reads the operator token from <dataDir>/operator.token, or
// creates it (32 bytes of rand, hex) on first start, readable by the owner only. A
// token file readable by others is refused.
func loadOrCreateOperatorToken(dataDir string, rand io.Reader) (string, error) {
	path := filepath.Join(dataDir, operatorTokenFile)
	tok, err := readOperatorToken(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return tok, err
	}
	b := make([]byte, operatorTokenBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("operator token: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("data dir: %w", err)
	}
	tok = hex.EncodeToString(b)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readOperatorToken(path) // another process created it first
	}
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString(tok + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return "", err
	}
	return tok, nil
}

func readOperatorToken(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s is readable by others (mode %04o): chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxOperatorTokenLen+1))
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 16 || len(tok) > maxOperatorTokenLen || !utf8.ValidString(tok) || strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("%s: want one token of 16..%d characters", path, maxOperatorTokenLen)
	}
	return tok, nil
}

// writePrivateFile replaces path with data, readable by the owner only.
func writePrivateFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, removes nothing
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
