// Stand-in for arduino-esp32's WiFi library (libraries/WiFi): the board is "on the network"
// at once, as 127.0.0.1. Records setSleep() so tests can see the power save was turned off.
#pragma once

#include <Arduino.h>

typedef enum {
  WL_NO_SHIELD = 255,
  WL_IDLE_STATUS = 0,
  WL_NO_SSID_AVAIL = 1,
  WL_SCAN_COMPLETED = 2,
  WL_CONNECTED = 3,
  WL_CONNECT_FAILED = 4,
  WL_CONNECTION_LOST = 5,
  WL_DISCONNECTED = 6
} wl_status_t;

typedef enum { WIFI_OFF = 0, WIFI_STA = 1, WIFI_AP = 2, WIFI_AP_STA = 3 } wifi_mode_t;
#define WIFI_MODE_STA WIFI_STA

class WiFiClass {
public:
  bool mode(wifi_mode_t m);
  wl_status_t begin(const char *ssid, const char *passphrase = nullptr);
  bool setSleep(bool enabled);
  bool getSleep();
  bool setAutoReconnect(bool) { return true; }
  bool disconnect(bool wifioff = false);
  bool reconnect();
  wl_status_t status();
  IPAddress localIP();
  int8_t RSSI();
  String SSID();
};
extern WiFiClass WiFi;
