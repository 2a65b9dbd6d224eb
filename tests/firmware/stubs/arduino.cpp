// Stand-in implementations of the Arduino core, WiFi and the process around the sketch.
#include <Arduino.h>
#include <WiFi.h>

#include "standin.h"

#include <chrono>
#include <csignal>
#include <random>
#include <thread>
#include <unistd.h>

namespace {

const auto boot = std::chrono::steady_clock::now();
std::mt19937 rng{std::random_device{}()};
bool wifi_sleep = true;
wl_status_t wifi_status = WL_IDLE_STATUS;
uint32_t led_duty[64];

}  // namespace

namespace standin {

const char *env_str(const char *name, const char *fallback) {
  const char *v = std::getenv(name);
  return v && *v ? v : fallback;
}

long env_int(const char *name, long fallback) {
  const char *v = std::getenv(name);
  if (!v || !*v) return fallback;
  char *end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (*end) {
    log("%s=%s is not an integer; using %ld", name, v, fallback);
    return fallback;
  }
  return n;
}

int mode() {
  const char *m = env_str("ESP32CAM_STANDIN_MODE", "push");
  if (!strcmp(m, "local")) return 2;
  if (strcmp(m, "push") != 0) log("ESP32CAM_STANDIN_MODE=%s is neither push nor local; using push", m);
  return 1;
}

void log(const char *format, ...) {
  char line[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(line, sizeof(line), format, args);
  va_end(args);
  fprintf(stderr, "[standin] %s\n", line);
}

}  // namespace standin

unsigned long millis() {
  return (unsigned long)std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - boot).count();
}

unsigned long micros() {
  return (unsigned long)std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - boot).count();
}

void delay(uint32_t ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

void yield() {}

void pinMode(uint8_t, uint8_t) {}
void digitalWrite(uint8_t, uint8_t) {}
int digitalRead(uint8_t) { return LOW; }

long random(long howbig) {
  return howbig <= 0 ? 0 : std::uniform_int_distribution<long>(0, howbig - 1)(rng);
}

long random(long howsmall, long howbig) {
  return howsmall >= howbig ? howsmall : howsmall + random(howbig - howsmall);
}

void randomSeed(unsigned long seed) {
  if (seed) rng.seed((std::mt19937::result_type)seed);
}

bool ledcAttach(uint8_t pin, uint32_t freq, uint8_t resolution) {
  standin::log("ledcAttach(pin=%u, freq=%u, bits=%u)", (unsigned)pin, (unsigned)freq, (unsigned)resolution);
  return pin < 64;
}

bool ledcWrite(uint8_t pin, uint32_t duty) {
  if (pin >= 64) return false;
  if (led_duty[pin] != duty) standin::log("ledcWrite(pin=%u, duty=%u)", (unsigned)pin, (unsigned)duty);
  led_duty[pin] = duty;
  return true;
}

uint32_t ledcRead(uint8_t pin) {
  return pin < 64 ? led_duty[pin] : 0;
}

bool psramFound() {
  return standin::env_int("ESP32CAM_STANDIN_PSRAM", 1) != 0;
}

String IPAddress::toString() const {
  char s[16];
  snprintf(s, sizeof(s), "%u.%u.%u.%u", o_[0], o_[1], o_[2], o_[3]);
  return String(s);
}

// ---- Serial: the board's console is the stand-in's stdout ----

HardwareSerial Serial;

void HardwareSerial::begin(unsigned long) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
}

size_t HardwareSerial::print(const char *s) {
  if (!s) return 0;
  fputs(s, stdout);
  return strlen(s);
}
size_t HardwareSerial::print(char c) { return fputc(c, stdout) == EOF ? 0 : 1; }
size_t HardwareSerial::print(int v) { return (size_t)::printf("%d", v); }
size_t HardwareSerial::print(unsigned int v) { return (size_t)::printf("%u", v); }
size_t HardwareSerial::print(long v) { return (size_t)::printf("%ld", v); }
size_t HardwareSerial::print(unsigned long v) { return (size_t)::printf("%lu", v); }
size_t HardwareSerial::print(double v, int digits) { return (size_t)::printf("%.*f", digits, v); }
size_t HardwareSerial::println() { return print("\r\n"); }
void HardwareSerial::flush() { fflush(stdout); }

size_t HardwareSerial::printf(const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vprintf(format, args);
  va_end(args);
  return n < 0 ? 0 : (size_t)n;
}

// ---- ESP ----

EspClass ESP;

void EspClass::restart() {
  standin::log("ESP.restart() called: the stand-in exits with status 3");
  fflush(stdout);
  _exit(3);
}

uint32_t EspClass::getFreeHeap() { return 200 * 1024; }
uint32_t EspClass::getFreePsram() { return psramFound() ? 4000 * 1024 : 0; }
uint32_t EspClass::getPsramSize() { return psramFound() ? 4096 * 1024 : 0; }

// ---- WiFi: connected at once, as 127.0.0.1 ----

WiFiClass WiFi;

bool WiFiClass::mode(wifi_mode_t m) {
  standin::log("WiFi.mode(%d)", (int)m);
  return true;
}

wl_status_t WiFiClass::begin(const char *ssid, const char *) {
  standin::log("WiFi.begin(\"%s\")", ssid ? ssid : "");
  wifi_status = WL_CONNECTED;
  return wifi_status;
}

bool WiFiClass::setSleep(bool enabled) {
  wifi_sleep = enabled;
  standin::log("WiFi.setSleep(%s)", enabled ? "true" : "false");
  return true;
}

bool WiFiClass::getSleep() { return wifi_sleep; }
bool WiFiClass::disconnect(bool) { wifi_status = WL_DISCONNECTED; return true; }
bool WiFiClass::reconnect() { wifi_status = WL_CONNECTED; return true; }
wl_status_t WiFiClass::status() { return wifi_status; }
IPAddress WiFiClass::localIP() { return IPAddress(127, 0, 0, 1); }
int8_t WiFiClass::RSSI() { return -55; }
String WiFiClass::SSID() { return String("standin"); }

// ---- the process: setup() once, then loop() until SIGTERM/SIGINT ----

void setup();
void loop();

extern "C" void standin_on_signal(int) {
  _exit(0);  // the board has no orderly shutdown either; Serial is line-buffered
}

int main() {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGTERM, standin_on_signal);
  std::signal(SIGINT, standin_on_signal);
  setup();
  for (;;) loop();
}
