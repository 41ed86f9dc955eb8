// Package cardprint renders what gets printed for the canteen: the QR code
// on a pupil's student card (QRPNG), a per-class A4 sheet of card labels to
// print and cut (ClassSheetPDF), and Code 128 barcodes and sheets of dish
// labels (Code128PNG, DishLabelsPDF).
//
// It is a use-case helper shared by the staff service (class sheets) and the
// onecode command (card sheet, labels), not edge code, and it lives outside
// domain/ because it depends on third-party rendering libraries
// (boombuler/barcode, go-pdf/fpdf). It only draws what it is given: sealing
// the QR text and masking names are done by the caller (domain/card). Output
// is bytes; nothing touches files.
//
// Text is drawn in runs: Latin with the PDF core font Helvetica, Chinese with
// the caller's TrueType font (a CJK font usually has no Latin glyphs), and
// every line is shrunk or cut with an ellipsis to stay inside its label.
package cardprint
