// Package inputs is the first stage of the analysis: it takes the paths a
// user gives and returns the events of every file in them.
//
// Collect walks folders and opens archives (zip, tar, gzip, bzip2, nested
// ones too) into a list of File values, each with the folder that may name
// its server. It refuses what could hang or exhaust memory (FIFOs, devices,
// decompression bombs: MaxInflate, maxEntries) with a reason, and knows the
// layouts of support collectors (SQL LogScout, PSSDiag, TSS): which of their
// files are logs, which are configuration (AG settings, see MergeSettings),
// which are not logs at all, and which server a file name stands for
// (CollectorServer).
//
// Read then detects each file's format from its first bytes, reads it with
// the streaming reader of that format (package parsers and its
// sub-packages), folds storms of identical events into counted ones, and
// returns one Result per file: the AG-relevant events, a Summary of the
// file's statistics, and the file's line in the report (report.Input) with
// its warnings. Stream reads one file again, event by event, for the
// events view.
package inputs
