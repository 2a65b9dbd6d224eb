// Everything you may want to change lives in this file. Each setting is an #ifndef so that a
// build can also set it from outside (-DWSCAM_SERVER_HOST=... in platformio.ini build_flags;
// the Linux stand-in used by the tests sets some of them from environment variables).
#pragma once

// ---------------------------------------------------------------------------------------------
// 1. Your board: exactly one of these (pin maps are in camera_pins.h, from Espressif's
//    CameraWebServer example).
// ---------------------------------------------------------------------------------------------
#if !defined(CAMERA_MODEL_AI_THINKER) && !defined(CAMERA_MODEL_WROVER_KIT) && !defined(CAMERA_MODEL_ESP_EYE) && \
    !defined(CAMERA_MODEL_M5STACK_PSRAM) && !defined(CAMERA_MODEL_M5STACK_WIDE) && !defined(CAMERA_MODEL_TTGO_T_JOURNAL) && \
    !defined(CAMERA_MODEL_XIAO_ESP32S3) && !defined(CAMERA_MODEL_ESP32S3_EYE)
#define CAMERA_MODEL_AI_THINKER  // the common ESP32-CAM (has PSRAM and a flash LED on GPIO 4)
// #define CAMERA_MODEL_WROVER_KIT  // Espressif ESP-WROVER-KIT (PSRAM, no flash LED)
// #define CAMERA_MODEL_ESP_EYE     // Espressif ESP-EYE (PSRAM, LED on GPIO 22)
// #define CAMERA_MODEL_M5STACK_PSRAM
// #define CAMERA_MODEL_M5STACK_WIDE
// #define CAMERA_MODEL_TTGO_T_JOURNAL
// #define CAMERA_MODEL_XIAO_ESP32S3
// #define CAMERA_MODEL_ESP32S3_EYE
#endif

// ---------------------------------------------------------------------------------------------
// 2. WiFi
// ---------------------------------------------------------------------------------------------
#ifndef WSCAM_WIFI_SSID
#define WSCAM_WIFI_SSID "your-wifi-name"
#endif
#ifndef WSCAM_WIFI_PASSWORD
#define WSCAM_WIFI_PASSWORD "your-wifi-password"
#endif

// ---------------------------------------------------------------------------------------------
// 3. Mode
//    WSCAM_MODE_PUSH  (default): the board connects OUT to a wscam server
//                     (ws(s)://SERVER:PORT/publish/STREAM?token=TOKEN) and sends every frame.
//                     Works from behind any home router: no port forwarding.
//    WSCAM_MODE_LOCAL: the classic tutorial layout, for the local network only: a page on
//                     http://BOARD/ and a WebSocket on ws://BOARD:81/ sending every frame to
//                     every connected browser.
// ---------------------------------------------------------------------------------------------
#define WSCAM_MODE_PUSH 1
#define WSCAM_MODE_LOCAL 2
#ifndef WSCAM_MODE
#define WSCAM_MODE WSCAM_MODE_PUSH
#endif

// ---------------------------------------------------------------------------------------------
// 4. Push mode: where wscam runs (wscam --stream cam=push: --publish-token TOKEN)
// ---------------------------------------------------------------------------------------------
#ifndef WSCAM_SERVER_HOST
#define WSCAM_SERVER_HOST "wscam.example.org"  // a name or an address like "192.168.1.20"
#endif
#ifndef WSCAM_SERVER_PORT
#define WSCAM_SERVER_PORT 8080                 // 443 when TLS goes through a reverse proxy
#endif
#ifndef WSCAM_USE_TLS
#define WSCAM_USE_TLS 0                        // 1: wss:// (needed whenever the server is on the internet)
#endif
#ifndef WSCAM_TLS_CA_CERT
// PEM text of the root certificate that signed the server's certificate; with "" the
// connection is encrypted but the server's identity is NOT checked.
#define WSCAM_TLS_CA_CERT ""
#endif
#ifndef WSCAM_TOKEN
#define WSCAM_TOKEN "change-me"                // wscam's --publish-token
#endif
#ifndef WSCAM_STREAM
#define WSCAM_STREAM "cam"                     // the NAME in --stream NAME=push:
#endif
#ifndef WSCAM_RECONNECT_MS
#define WSCAM_RECONNECT_MS 2000                // wait between connection attempts
#endif
#ifndef WSCAM_HEARTBEAT_MS
#define WSCAM_HEARTBEAT_MS 15000               // WebSocket ping every N ms, drop the link after 2 lost pongs (0 = off)
#endif

// ---------------------------------------------------------------------------------------------
// 5. Local mode: the ports of the page and of the WebSocket
// ---------------------------------------------------------------------------------------------
#ifndef WSCAM_HTTP_PORT
#define WSCAM_HTTP_PORT 80
#endif
#ifndef WSCAM_WS_PORT
#define WSCAM_WS_PORT 81
#endif

// ---------------------------------------------------------------------------------------------
// 6. Picture (both can be changed later from the wscam viewer: Frame size, Quality)
// ---------------------------------------------------------------------------------------------
#ifndef WSCAM_FRAME_SIZE
#define WSCAM_FRAME_SIZE FRAMESIZE_VGA  // QVGA 320x240, VGA 640x480, SVGA 800x600, XGA, HD, SXGA, UXGA
#endif
#ifndef WSCAM_JPEG_QUALITY
#define WSCAM_JPEG_QUALITY 12           // 4..63, LOWER is better and larger; 10-15 is a good range
#endif

// ---------------------------------------------------------------------------------------------
// 7. Flash LED (announced as the control "led_intensity" when the board has one)
// ---------------------------------------------------------------------------------------------
#ifndef WSCAM_FLASH_LED
#define WSCAM_FLASH_LED 1               // 0: never touch the LED even if the board has one
#endif

#ifndef WSCAM_SERIAL_BAUD
#define WSCAM_SERIAL_BAUD 115200
#endif
