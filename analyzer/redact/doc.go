// Package redact pseudonymizes what agtriage writes so that it can leave
// the company: Report takes a report.Report and gives a deep copy in which
// host, instance, domain and login names, IP addresses and the paths of the
// bundle are replaced by stable pseudonyms (HOST-1, LOGIN-2, ...); Events
// does the same for the events view. AG and database names, error numbers,
// SQL and built-in accounts are kept.
package redact
