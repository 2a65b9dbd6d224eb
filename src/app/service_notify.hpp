#pragma once

#include <string>

namespace wscam {

/**
 * Tells systemd (a `Type=notify` unit, packaging/wscam.service) how the service is doing,
 * through libsystemd's sd_notify. Without NOTIFY_SOCKET (not started by systemd), or in a
 * build without libsystemd, these do nothing.
 */
namespace service {

/** Listening and serving: systemd counts the service as started (and a reload as done). */
void ready(const std::string& status);
/** A reload (SIGHUP) began; ready() ends it. */
void reloading();
/** The service is shutting down. */
void stopping();

}  // namespace service
}  // namespace wscam
