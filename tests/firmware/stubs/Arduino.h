// Stand-in for the parts of the Arduino core (arduino-esp32 3.x) that the wscam sketch uses,
// so that firmware/esp32-cam/esp32-cam.ino compiles and runs unchanged on Linux.
// Signatures follow arduino-esp32 (cores/esp32/Arduino.h, WString.h, esp32-hal-ledc.h).
#pragma once

#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

#ifndef ESP32
#define ESP32 1
#endif
#define ARDUINO_ARCH_ESP32 1
#define ARDUINO 10819
#define ESP_ARDUINO_VERSION_MAJOR 3
#define ESP_ARDUINO_VERSION_MINOR 0
#define ESP_ARDUINO_VERSION_PATCH 7
#define ESP_ARDUINO_VERSION_VAL(major, minor, patch) ((major << 16) | (minor << 8) | (patch))
#define ESP_ARDUINO_VERSION ESP_ARDUINO_VERSION_VAL(ESP_ARDUINO_VERSION_MAJOR, ESP_ARDUINO_VERSION_MINOR, ESP_ARDUINO_VERSION_PATCH)

#define PROGMEM
#define PGM_P const char *
#define F(string_literal) (string_literal)

typedef bool boolean;
typedef uint8_t byte;

#define LOW 0x0
#define HIGH 0x1
#define INPUT 0x01
#define OUTPUT 0x03
#define PULLUP 0x04
#define INPUT_PULLUP 0x05

unsigned long millis();
unsigned long micros();
void delay(uint32_t ms);
void yield();
void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t val);
int digitalRead(uint8_t pin);
long random(long howbig);
long random(long howsmall, long howbig);
void randomSeed(unsigned long seed);

// esp32-hal-ledc.h, arduino-esp32 3.x (pin based)
bool ledcAttach(uint8_t pin, uint32_t freq, uint8_t resolution);
bool ledcWrite(uint8_t pin, uint32_t duty);
uint32_t ledcRead(uint8_t pin);

bool psramFound();

// A small WString.h: what sketches and the stand-in libraries need.
class String {
public:
  String(const char *s = "") : s_(s ? s : "") {}
  String(const std::string &s) : s_(s) {}
  String(char c) : s_(1, c) {}
  explicit String(int v) : s_(std::to_string(v)) {}
  explicit String(unsigned int v) : s_(std::to_string(v)) {}
  explicit String(long v) : s_(std::to_string(v)) {}
  explicit String(unsigned long v) : s_(std::to_string(v)) {}
  const char *c_str() const { return s_.c_str(); }
  unsigned int length() const { return (unsigned int)s_.size(); }
  String &operator+=(const String &o) { s_ += o.s_; return *this; }
  String &operator+=(const char *o) { s_ += o ? o : ""; return *this; }
  String &operator+=(char c) { s_ += c; return *this; }
  String &operator+=(int v) { s_ += std::to_string(v); return *this; }
  String &operator+=(unsigned int v) { s_ += std::to_string(v); return *this; }
  bool operator==(const String &o) const { return s_ == o.s_; }
  bool operator==(const char *o) const { return s_ == (o ? o : ""); }
  bool operator!=(const String &o) const { return s_ != o.s_; }
  char operator[](unsigned int i) const { return i < s_.size() ? s_[i] : 0; }
  int indexOf(char c, unsigned int from = 0) const { auto p = s_.find(c, from); return p == std::string::npos ? -1 : (int)p; }
  int indexOf(const char *t, unsigned int from = 0) const { auto p = s_.find(t, from); return p == std::string::npos ? -1 : (int)p; }
  String substring(unsigned int from) const { return from < s_.size() ? String(s_.substr(from)) : String(); }
  String substring(unsigned int from, unsigned int to) const { return from < s_.size() && to > from ? String(s_.substr(from, to - from)) : String(); }
  bool startsWith(const String &p) const { return s_.rfind(p.s_, 0) == 0; }
  bool endsWith(const String &p) const { return s_.size() >= p.s_.size() && s_.compare(s_.size() - p.s_.size(), p.s_.size(), p.s_) == 0; }
  bool equalsIgnoreCase(const String &o) const { return strcasecmp(s_.c_str(), o.s_.c_str()) == 0; }
  long toInt() const { return atol(s_.c_str()); }
  void trim() {
    auto b = s_.find_first_not_of(" \t\r\n");
    auto e = s_.find_last_not_of(" \t\r\n");
    s_ = b == std::string::npos ? std::string() : s_.substr(b, e - b + 1);
  }
  const std::string &str() const { return s_; }

private:
  std::string s_;
};
inline String operator+(const String &a, const String &b) { String r(a); r += b; return r; }
inline String operator+(const String &a, const char *b) { String r(a); r += b; return r; }
inline String operator+(const char *a, const String &b) { String r(a); r += b; return r; }

class IPAddress {
public:
  IPAddress(uint8_t a = 0, uint8_t b = 0, uint8_t c = 0, uint8_t d = 0) : o_{a, b, c, d} {}
  String toString() const;
  uint8_t operator[](int i) const { return o_[i & 3]; }

private:
  uint8_t o_[4];
};

// The serial console: stdout of the stand-in.
class HardwareSerial {
public:
  void begin(unsigned long baud);
  void end() {}
  void setDebugOutput(bool) {}
  size_t print(const char *s);
  size_t print(const String &s) { return print(s.c_str()); }
  size_t print(char c);
  size_t print(int v);
  size_t print(unsigned int v);
  size_t print(long v);
  size_t print(unsigned long v);
  size_t print(double v, int digits = 2);
  size_t println();
  template <typename T>
  size_t println(const T &v) { size_t n = print(v); return n + println(); }
  size_t printf(const char *format, ...) __attribute__((format(printf, 2, 3)));
  void flush();
  operator bool() const { return true; }
};
extern HardwareSerial Serial;

class EspClass {
public:
  [[noreturn]] void restart();
  uint32_t getFreeHeap();
  uint32_t getFreePsram();
  uint32_t getPsramSize();
};
extern EspClass ESP;
