// Package cardprint renders what gets printed for the canteen: the QR code
// on a pupil's student card (QRPNG), a per-class A4 sheet of card labels to
// print and cut (ClassSheetPDF), and Code 128 barcodes for dish labels
// (Code128PNG).
//
// It lives outside domain/ because it depends on third-party rendering
// libraries (boombuler/barcode, go-pdf/fpdf). It only draws what it is
// given: sealing the QR text and masking names are done by the caller
// (domain/card and cmd/onecode). Output is bytes; nothing touches files.
package cardprint
