// Stand-in for esp32-camera's driver/include/esp_camera.h. The "camera" returns the JPEG files
// of the folder $ESP32CAM_STANDIN_FRAMES (in name order, looping) at $ESP32CAM_STANDIN_FPS
// (default 20): esp_camera_fb_get() blocks until the next frame is due, like the real driver.
// With frames of several sizes in the folder it returns those of the size set_framesize()
// chose (all of them when none has that size).
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "sensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int esp_err_t;
#define ESP_OK 0
#define ESP_FAIL -1
#define ESP_ERR_NO_MEM 0x101
#define ESP_ERR_INVALID_ARG 0x102
#define ESP_ERR_INVALID_STATE 0x103
#define ESP_ERR_NOT_FOUND 0x105

// driver/ledc.h
typedef enum { LEDC_TIMER_0 = 0, LEDC_TIMER_1, LEDC_TIMER_2, LEDC_TIMER_3, LEDC_TIMER_MAX } ledc_timer_t;
typedef enum {
  LEDC_CHANNEL_0 = 0,
  LEDC_CHANNEL_1,
  LEDC_CHANNEL_2,
  LEDC_CHANNEL_3,
  LEDC_CHANNEL_4,
  LEDC_CHANNEL_5,
  LEDC_CHANNEL_6,
  LEDC_CHANNEL_7,
  LEDC_CHANNEL_MAX
} ledc_channel_t;

typedef enum {
  CAMERA_GRAB_WHEN_EMPTY,  // Fills buffers when they are empty. Less resources but first 'fb_count' frames might be old
  CAMERA_GRAB_LATEST       // Except when 1 frame buffer is used, queue will always contain the last 'fb_count' frames
} camera_grab_mode_t;

typedef enum { CAMERA_FB_IN_PSRAM, CAMERA_FB_IN_DRAM } camera_fb_location_t;

typedef struct {
  int pin_pwdn;
  int pin_reset;
  int pin_xclk;
  union {
    int pin_sccb_sda;
    int pin_sscb_sda __attribute__((deprecated("please use pin_sccb_sda instead")));
  };
  union {
    int pin_sccb_scl;
    int pin_sscb_scl __attribute__((deprecated("please use pin_sccb_scl instead")));
  };
  int pin_d7;
  int pin_d6;
  int pin_d5;
  int pin_d4;
  int pin_d3;
  int pin_d2;
  int pin_d1;
  int pin_d0;
  int pin_vsync;
  int pin_href;
  int pin_pclk;

  int xclk_freq_hz;

  ledc_timer_t ledc_timer;
  ledc_channel_t ledc_channel;

  pixformat_t pixel_format;
  framesize_t frame_size;

  int jpeg_quality;
  size_t fb_count;
  camera_fb_location_t fb_location;
  camera_grab_mode_t grab_mode;

  int sccb_i2c_port;
} camera_config_t;

typedef struct {
  uint8_t *buf;
  size_t len;
  size_t width;
  size_t height;
  pixformat_t format;
  struct timeval timestamp;
} camera_fb_t;

#define ESP_ERR_CAMERA_BASE 0x20000
#define ESP_ERR_CAMERA_NOT_DETECTED (ESP_ERR_CAMERA_BASE + 1)
#define ESP_ERR_CAMERA_FAILED_TO_SET_FRAME_SIZE (ESP_ERR_CAMERA_BASE + 2)
#define ESP_ERR_CAMERA_FAILED_TO_SET_OUT_FORMAT (ESP_ERR_CAMERA_BASE + 3)
#define ESP_ERR_CAMERA_NOT_SUPPORTED (ESP_ERR_CAMERA_BASE + 4)

esp_err_t esp_camera_init(const camera_config_t *config);
esp_err_t esp_camera_deinit(void);
camera_fb_t *esp_camera_fb_get(void);
void esp_camera_fb_return(camera_fb_t *fb);
sensor_t *esp_camera_sensor_get(void);
void esp_camera_return_all(void);

#ifdef __cplusplus
}
#endif
