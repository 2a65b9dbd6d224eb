#include "app/service_notify.hpp"

#ifdef WSCAM_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>

#include <time.h>

#include <cstdint>
#endif

namespace wscam::service {

#ifdef WSCAM_HAVE_SYSTEMD
namespace {

std::uint64_t monotonic_us() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

}  // namespace

void ready(const std::string& status) { sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str()); }
// MONOTONIC_USEC: what Type=notify-reload (systemd 253+) wants with RELOADING=1; older ones ignore it.
void reloading() { sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", static_cast<unsigned long long>(monotonic_us())); }
void stopping() { sd_notify(0, "STOPPING=1"); }
#else
void ready(const std::string&) {}
void reloading() {}
void stopping() {}
#endif

}  // namespace wscam::service
