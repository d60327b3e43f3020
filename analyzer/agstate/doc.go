// Package agstate computes what every availability group looked like over
// time, as shared results (rule.Result) that rules and the report read:
//
//   - RolesResult: each replica's role spans and the changes of primary,
//     each classified as manual, forced or automatic with its trigger
//     (RolesOf);
//   - ConnectionsResult: the windows during which a replica could not reach
//     a partner while one of the two was primary (Windows);
//   - LifecycleResult: the startups and shutdowns of every instance
//     (Lifecycle, RestartAt).
package agstate
