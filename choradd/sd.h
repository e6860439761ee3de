/*
 * sd — talking to systemd (Type=notify services).
 *
 * READY=1 once the first pass is over (so `systemctl start` returns when
 * the outputs are current), STATUS= lines after each pass, WATCHDOG=1
 * pings at half the interval systemd asked for, STOPPING=1 on the way
 * out.  Without $NOTIFY_SOCKET every call does nothing.  Socket
 * activation (LISTEN_FDS) is the rpc layer's business.
 */
#ifndef CHORA_SD_H
#define CHORA_SD_H

struct ev_loop;

/* Start the watchdog pings if systemd wants them. */
void	sd_start(struct ev_loop *loop);
void	sd_stop(void);
void	sd_ready(void);
void	sd_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	sd_stopping(void);

#endif
