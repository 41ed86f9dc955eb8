// Package cart holds the rules of a canteen terminal's cart and of pricing a pay: the
// bounds of a cart (lines, quantity per line), how a scanned dish joins the cart, which
// dishes may be sold, how the lines of a pay are priced at today's catalog and checked
// against the total the terminal showed, and the plain message a terminal shows for
// each decline reason. It is pure: the catalog look-up is passed in, and nothing here
// does I/O. The terminal session actor (actors/terminal_session.go) is a thin shell
// over it.
package cart
