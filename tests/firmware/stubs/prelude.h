// Forced include (-include prelude.h) for compiling the sketch as C++: what the Arduino builder
// adds in front of an .ino (#include <Arduino.h>), plus the stand-in's configuration: the
// settings config.h takes from outside (#ifndef), here read from the environment so that one
// binary serves every test. The sketch itself is compiled unchanged.
#pragma once

#include <Arduino.h>

#include "standin.h"

#define WSCAM_MODE (::standin::mode())
#define WSCAM_SERVER_HOST (::standin::env_str("ESP32CAM_STANDIN_HOST", "127.0.0.1"))
#define WSCAM_SERVER_PORT (::standin::env_int("ESP32CAM_STANDIN_PORT", 8080))
#define WSCAM_USE_TLS (::standin::env_int("ESP32CAM_STANDIN_TLS", 0) != 0)
#define WSCAM_TOKEN (::standin::env_str("ESP32CAM_STANDIN_TOKEN", "change-me"))
#define WSCAM_STREAM (::standin::env_str("ESP32CAM_STANDIN_STREAM", "cam"))
#define WSCAM_HTTP_PORT (::standin::env_int("ESP32CAM_STANDIN_HTTP_PORT", 8000))
#define WSCAM_WS_PORT (::standin::env_int("ESP32CAM_STANDIN_WS_PORT", 8001))
