/* futd.h - the daemon's name and where it looks for its config */
#ifndef FUTD_H
#define FUTD_H

#define FUTD_VERSION		"0.1.0"
#define FUTD_DEFAULT_CONFIG	"/etc/futd/futd.conf"

#endif /* FUTD_H */
