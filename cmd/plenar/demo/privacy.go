package demo

// DPOContact is the demo city's data protection officer, shown in the
// footer of every page and on the privacy pages when plenar serve --demo
// runs without PLENAR_DPO_CONTACT (docs/ARCHITECTURE.md, "Privacy"). The
// demo's record of processing activities (/datenschutz/verarbeitung) is
// generated from the default retention periods of migration 00028.
const DPOContact = "Datenschutzbeauftragte der Stadt Musterstadt, Rathausplatz 1, 12345 Musterstadt, datenschutz@musterstadt.example"
