// Package pgcluster runs Plenar's private PostgreSQL cluster: when no
// database URL is configured, "plenar serve" (and migrate, demo, user)
// create a cluster in <data dir>/postgres from the installed server
// binaries (initdb, pg_ctl, postgres; Debian package "postgresql"), start
// it listening on a Unix socket only, and stop it on shutdown.
//
// PostgreSQL refuses to run as root. As root, the package runs initdb and
// pg_ctl as the unprivileged "postgres" user through runuser(1), in a
// folder that user can reach: <data dir>/postgres when every parent folder
// lets it in, otherwise /var/lib/plenar/<hash of the data dir>/postgres.
// Socket paths are limited to about 100 bytes, so a long cluster path gets
// its socket in /tmp/plenar-<hash> instead.
//
// While "plenar serve" runs, Cluster.Supervise watches the postmaster and
// restarts PostgreSQL when it dies (bounded attempts, exponential
// back-off); when it cannot, it logs what to check and serve stops.
//
// The cluster trusts every connection that reaches its socket; the socket
// folder is private to the cluster's owner (and root). A TCP listener on
// 127.0.0.1 is only opened on request, for the throw-away test cluster of
// "make test".
//
// It imports no other Plenar package and must not be imported outside cmd.
package pgcluster
