// Package documents owns Plenar's files: their metadata rows (OParl File)
// with links to papers, meetings and agenda items, the content-addressed
// blob store under <data dir>/files (SHA-512, OParl's sha512Checksum),
// upload validation, background text extraction (poppler's pdftotext,
// Tesseract OCR with the German model, DOCX/ODT XML) and the PDFs Plenar
// renders itself (invitations, agendas, minutes, motions).
//
// Ordering rule: a blob is written to a temporary file, fsynced and renamed
// into place before the row that names it commits, so a row never lacks its
// blob; GC removes blobs that no row names.
//
// maroto is imported only here. documents may import council and meetings,
// never web or cmd, and does not use net/http.
package documents
