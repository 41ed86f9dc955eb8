package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/onecode/onecode/domain/card"
)

const keysUsage = `Usage: onecode keys <command> [flags]

Commands:
  init    create a keyring: DIR/keyring.json and the key-encryption key DIR/kek.pem
  rotate  add a new current data key to DIR/keyring.json (old cards keep opening)

Run "onecode keys <command> -h" for its flags.
`

func runKeys(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return cardExitUsage
	}
	switch args[0] {
	case "init":
		return keysInit(args[1:], stdout, stderr)
	case "rotate":
		return keysRotate(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, keysUsage)
		return cardExitOK
	default:
		fmt.Fprintf(stderr, "onecode keys: unknown command %q\n\n%s", args[0], keysUsage)
		return cardExitUsage
	}
}

func keysInit(args []string, stdout, stderr io.Writer) int {
	f := newCardFlags("onecode keys init", "--out DIR",
		"Creates a switch's keys directory: DIR/keyring.json (KEK public key and wrapped data\n"+
			"keys), DIR/kek.pem (the RSA key-encryption private key; keep it secret and backed up),\n"+
			"DIR/idhash.key and DIR/phonehash.key (keys of the ID-number and phone hashes) and\n"+
			"DIR/phoneseal.key (the key that seals parents' phones for SMS notices).\n"+
			"Every member of a cluster uses a copy of the same directory (server.keys_dir).\n"+
			"Existing files are never overwritten.", stderr)
	out := f.requiredString("out", "directory to create the files in")
	if code, ok := f.parse(args); !ok {
		return code
	}
	for _, name := range []string{cardKEKFile, cardKeyringFile} {
		if _, err := os.Lstat(filepath.Join(*out, name)); err == nil {
			return cardFail(stderr, f.name, fmt.Errorf("%s already exists; refusing to overwrite", filepath.Join(*out, name)))
		}
	}
	js, kek, err := card.NewKeyring(rand.Reader, time.Now())
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return cardFail(stderr, f.name, err)
	}
	idHash, phoneHash, phoneSeal := make([]byte, 32), make([]byte, 32), make([]byte, 32)
	for _, b := range [][]byte{idHash, phoneHash, phoneSeal} {
		if _, err := io.ReadFull(rand.Reader, b); err != nil {
			return cardFail(stderr, f.name, err)
		}
	}
	for _, file := range []struct {
		name string
		data []byte
	}{{cardKEKFile, kek}, {cardKeyringFile, js}, {idHashKeyFile, idHash}, {phoneHashKeyFile, phoneHash}, {phoneSealKeyFile, phoneSeal}} {
		if file.name == idHashKeyFile || file.name == phoneHashKeyFile || file.name == phoneSealKeyFile {
			if _, err := os.Lstat(filepath.Join(*out, file.name)); err == nil {
				continue // kept: a switch already hashed with it
			}
		}
		if err := cardWriteNew(filepath.Join(*out, file.name), file.data); err != nil {
			return cardFail(stderr, f.name, err)
		}
	}
	kr, err := card.LoadKeyring(js, kek)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	fmt.Fprintf(stdout, "wrote %s and %s; current key %s\n",
		filepath.Join(*out, cardKeyringFile), filepath.Join(*out, cardKEKFile), kr.CurrentKeyID())
	return cardExitOK
}

func keysRotate(args []string, stdout, stderr io.Writer) int {
	f := newCardFlags("onecode keys rotate", "--dir DIR",
		"Adds a new data key to DIR/keyring.json and makes it current: new cards are sealed\n"+
			"with it, cards sealed with older keys keep opening.", stderr)
	dir := f.requiredString("dir", "keys directory (keyring.json, kek.pem)")
	if code, ok := f.parse(args); !ok {
		return code
	}
	kr, err := cardLoadKeyring(*dir)
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	old := kr.CurrentKeyID()
	js, err := kr.Rotate(rand.Reader, time.Now())
	if err != nil {
		return cardFail(stderr, f.name, err)
	}
	if err := cardReplaceFile(filepath.Join(*dir, cardKeyringFile), js); err != nil {
		return cardFail(stderr, f.name, err)
	}
	fmt.Fprintf(stdout, "rotated: current key %s (was %s); keys %s\n", kr.CurrentKeyID(), old, strings.Join(kr.KeyIDs(), ","))
	return cardExitOK
}
