// Stand-in for esp32-camera: an OV2640 whose "frames" are the JPEG files of a folder.
//
//   ESP32CAM_STANDIN_FRAMES   folder of .jpg/.jpeg files (required), played in name order, looping
//   ESP32CAM_STANDIN_FPS      frames per second the sensor delivers (default 20)
//   ESP32CAM_STANDIN_FAIL     a control id (e.g. "contrast") whose setter fails, to test errors
//
// Timing follows the driver: the sensor produces frame k at t0 + k/fps whether or not anyone
// takes it. With CAMERA_GRAB_LATEST esp_camera_fb_get() returns the newest frame not yet
// returned, waiting for the next one when the newest was already taken; with
// CAMERA_GRAB_WHEN_EMPTY it returns the first frame captured after the previous buffer came
// back. Only fb_count buffers exist: asking for another while all are held waits 4 s and
// returns NULL ("Failed to get the frame on time!"), as the driver does.
//
// set_framesize() picks the frames whose JPEG size matches the new resolution (all frames
// when none does); every setter updates sensor->status and is logged on stderr.
#include "esp_camera.h"

#include "standin.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern "C" const resolution_info_t resolution[FRAMESIZE_INVALID] = {
    {96, 96, ASPECT_RATIO_1X1},     {160, 120, ASPECT_RATIO_4X3},   {128, 128, ASPECT_RATIO_1X1},
    {176, 144, ASPECT_RATIO_5X4},   {240, 176, ASPECT_RATIO_3X2},   {240, 240, ASPECT_RATIO_1X1},
    {320, 240, ASPECT_RATIO_4X3},   {320, 320, ASPECT_RATIO_1X1},   {400, 296, ASPECT_RATIO_4X3},
    {480, 320, ASPECT_RATIO_3X2},   {640, 480, ASPECT_RATIO_4X3},   {800, 600, ASPECT_RATIO_4X3},
    {1024, 768, ASPECT_RATIO_4X3},  {1280, 720, ASPECT_RATIO_16X9}, {1280, 1024, ASPECT_RATIO_5X4},
    {1600, 1200, ASPECT_RATIO_4X3}, {1920, 1080, ASPECT_RATIO_16X9}, {720, 1280, ASPECT_RATIO_9X16},
    {864, 1536, ASPECT_RATIO_9X16}, {2048, 1536, ASPECT_RATIO_4X3}, {2560, 1440, ASPECT_RATIO_16X9},
    {2560, 1600, ASPECT_RATIO_16X10}, {1080, 1920, ASPECT_RATIO_9X16}, {2560, 1920, ASPECT_RATIO_4X3},
    {2592, 1944, ASPECT_RATIO_4X3},
};

extern "C" const camera_sensor_info_t camera_sensor[] = {
    {CAMERA_OV2640, "OV2640", OV2640_SCCB_ADDR, OV2640_PID, FRAMESIZE_UXGA, true},
};

namespace {

using clock_type = std::chrono::steady_clock;

struct Jpeg {
  std::string name;
  std::vector<uint8_t> bytes;
  uint16_t width = 0, height = 0;
};

struct Camera {
  bool initialized = false;
  camera_config_t config{};
  sensor_t sensor{};
  std::vector<Jpeg> frames;
  std::map<std::pair<uint16_t, uint16_t>, std::vector<size_t>> by_size;
  double fps = 20;
  clock_type::time_point t0;
  long long last_taken = -1;           // sensor frame number of the newest frame handed out
  clock_type::time_point last_return;  // for CAMERA_GRAB_WHEN_EMPTY
  size_t next_file = 0;
  std::vector<camera_fb_t> buffers;
  std::vector<bool> held;
  std::string fail_id;
};

Camera cam;

bool jpeg_size(const std::vector<uint8_t> &b, uint16_t &w, uint16_t &h) {
  if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8) return false;
  size_t i = 2;
  while (i + 9 < b.size()) {
    if (b[i] != 0xFF) return false;
    uint8_t marker = b[i + 1];
    size_t len = (size_t)b[i + 2] << 8 | b[i + 3];
    if (marker >= 0xC0 && marker <= 0xC3) {
      h = (uint16_t)(b[i + 5] << 8 | b[i + 6]);
      w = (uint16_t)(b[i + 7] << 8 | b[i + 8]);
      return true;
    }
    i += 2 + len;
  }
  return false;
}

bool load_frames() {
  const char *dir = std::getenv("ESP32CAM_STANDIN_FRAMES");
  if (!dir || !*dir) {
    standin::log("camera: ESP32CAM_STANDIN_FRAMES is not set (a folder of JPEG files)");
    return false;
  }
  std::vector<std::filesystem::path> paths;
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(dir, ec)) {
    auto ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg")) paths.push_back(entry.path());
  }
  if (ec) {
    standin::log("camera: cannot read %s: %s", dir, ec.message().c_str());
    return false;
  }
  std::sort(paths.begin(), paths.end());
  for (const auto &p : paths) {
    std::ifstream in(p, std::ios::binary);
    Jpeg j;
    j.name = p.filename().string();
    j.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!jpeg_size(j.bytes, j.width, j.height)) {
      standin::log("camera: %s is not a JPEG, skipped", j.name.c_str());
      continue;
    }
    cam.by_size[{j.width, j.height}].push_back(cam.frames.size());
    cam.frames.push_back(std::move(j));
  }
  if (cam.frames.empty()) {
    standin::log("camera: no JPEG files in %s", dir);
    return false;
  }
  std::string sizes;
  for (const auto &[size, list] : cam.by_size) {
    sizes += " " + std::to_string(size.first) + "x" + std::to_string(size.second) + "(" + std::to_string(list.size()) + ")";
  }
  standin::log("camera: %zu frames from %s, sizes:%s", cam.frames.size(), dir, sizes.c_str());
  return true;
}

// ---- the sensor: every setter records the value in status, as the OV2640 driver does ----

int check(sensor_t *, const char *id, int value, int min, int max) {
  if (cam.fail_id == id) {
    standin::log("sensor: set %s=%d fails (ESP32CAM_STANDIN_FAIL)", id, value);
    return -1;
  }
  if (value < min || value > max) {
    standin::log("sensor: set %s=%d refused: outside %d..%d", id, value, min, max);
    return -1;
  }
  standin::log("sensor: %s=%d", id, value);
  return 0;
}

#define STANDIN_SETTER(name, id, field, min, max)           \
  int name(sensor_t *s, int v) {                            \
    if (check(s, id, v, min, max) != 0) return -1;          \
    s->status.field = (decltype(s->status.field))v;         \
    return 0;                                               \
  }

STANDIN_SETTER(set_contrast, "contrast", contrast, -2, 2)
STANDIN_SETTER(set_brightness, "brightness", brightness, -2, 2)
STANDIN_SETTER(set_saturation, "saturation", saturation, -2, 2)
STANDIN_SETTER(set_sharpness, "sharpness", sharpness, -2, 2)
STANDIN_SETTER(set_denoise, "denoise", denoise, 0, 8)
STANDIN_SETTER(set_quality, "quality", quality, 0, 63)
STANDIN_SETTER(set_colorbar, "colorbar", colorbar, 0, 1)
STANDIN_SETTER(set_whitebal, "awb", awb, 0, 1)
STANDIN_SETTER(set_gain_ctrl, "agc", agc, 0, 1)
STANDIN_SETTER(set_exposure_ctrl, "aec", aec, 0, 1)
STANDIN_SETTER(set_hmirror, "hmirror", hmirror, 0, 1)
STANDIN_SETTER(set_vflip, "vflip", vflip, 0, 1)
STANDIN_SETTER(set_aec2, "aec2", aec2, 0, 1)
STANDIN_SETTER(set_awb_gain, "awb_gain", awb_gain, 0, 1)
STANDIN_SETTER(set_agc_gain, "agc_gain", agc_gain, 0, 30)
STANDIN_SETTER(set_aec_value, "aec_value", aec_value, 0, 1200)
STANDIN_SETTER(set_special_effect, "special_effect", special_effect, 0, 6)
STANDIN_SETTER(set_wb_mode, "wb_mode", wb_mode, 0, 4)
STANDIN_SETTER(set_ae_level, "ae_level", ae_level, -2, 2)
STANDIN_SETTER(set_dcw, "dcw", dcw, 0, 1)
STANDIN_SETTER(set_bpc, "bpc", bpc, 0, 1)
STANDIN_SETTER(set_wpc, "wpc", wpc, 0, 1)
STANDIN_SETTER(set_raw_gma, "raw_gma", raw_gma, 0, 1)
STANDIN_SETTER(set_lenc, "lenc", lenc, 0, 1)

int set_gainceiling(sensor_t *s, gainceiling_t g) {
  if (check(s, "gainceiling", (int)g, 0, 6) != 0) return -1;
  s->status.gainceiling = (uint8_t)g;
  return 0;
}

int set_framesize(sensor_t *s, framesize_t size) {
  if (check(s, "framesize", (int)size, 0, FRAMESIZE_UXGA) != 0) return -1;
  s->status.framesize = size;
  const auto &r = resolution[size];
  if (!cam.by_size.count({r.width, r.height})) {
    standin::log("camera: no %ux%u frames in the folder; sending the others", (unsigned)r.width, (unsigned)r.height);
  }
  return 0;
}

int set_pixformat(sensor_t *s, pixformat_t f) {
  s->pixformat = f;
  return f == PIXFORMAT_JPEG ? 0 : -1;
}

int init_status(sensor_t *) { return 0; }
int reset(sensor_t *) { return 0; }
int get_reg(sensor_t *, int, int) { return 0; }
int set_reg(sensor_t *, int, int, int) { return 0; }
int set_xclk(sensor_t *s, int, int xclk) {
  s->xclk_freq_hz = xclk * 1000000;
  return 0;
}

void setup_sensor(sensor_t &s) {
  s = sensor_t{};
  s.id.PID = OV2640_PID;
  s.id.VER = 0x42;
  s.id.MIDH = 0x7F;
  s.id.MIDL = 0xA2;
  s.slv_addr = OV2640_SCCB_ADDR;
  s.pixformat = PIXFORMAT_JPEG;
  s.xclk_freq_hz = 20000000;
  // The OV2640 driver's defaults after init (ov2640.c init_status).
  s.status.brightness = 0;
  s.status.contrast = 0;
  s.status.saturation = 0;
  s.status.ae_level = 0;
  s.status.special_effect = 0;
  s.status.wb_mode = 0;
  s.status.agc_gain = 0;
  s.status.aec_value = 168;
  s.status.awb = 1;
  s.status.awb_gain = 1;
  s.status.aec = 1;
  s.status.aec2 = 0;
  s.status.agc = 1;
  s.status.bpc = 0;
  s.status.wpc = 1;
  s.status.raw_gma = 1;
  s.status.lenc = 1;
  s.status.dcw = 1;
  s.init_status = init_status;
  s.reset = reset;
  s.set_pixformat = set_pixformat;
  s.set_framesize = set_framesize;
  s.set_contrast = set_contrast;
  s.set_brightness = set_brightness;
  s.set_saturation = set_saturation;
  s.set_sharpness = set_sharpness;
  s.set_denoise = set_denoise;
  s.set_gainceiling = set_gainceiling;
  s.set_quality = set_quality;
  s.set_colorbar = set_colorbar;
  s.set_whitebal = set_whitebal;
  s.set_gain_ctrl = set_gain_ctrl;
  s.set_exposure_ctrl = set_exposure_ctrl;
  s.set_hmirror = set_hmirror;
  s.set_vflip = set_vflip;
  s.set_aec2 = set_aec2;
  s.set_awb_gain = set_awb_gain;
  s.set_agc_gain = set_agc_gain;
  s.set_aec_value = set_aec_value;
  s.set_special_effect = set_special_effect;
  s.set_wb_mode = set_wb_mode;
  s.set_ae_level = set_ae_level;
  s.set_dcw = set_dcw;
  s.set_bpc = set_bpc;
  s.set_wpc = set_wpc;
  s.set_raw_gma = set_raw_gma;
  s.set_lenc = set_lenc;
  s.get_reg = get_reg;
  s.set_reg = set_reg;
  s.set_xclk = set_xclk;
}

const std::vector<size_t> *current_frames() {
  const auto &r = resolution[cam.sensor.status.framesize];
  auto it = cam.by_size.find({r.width, r.height});
  return it == cam.by_size.end() ? nullptr : &it->second;
}

const char *grab_mode_name(camera_grab_mode_t m) {
  return m == CAMERA_GRAB_LATEST ? "CAMERA_GRAB_LATEST" : "CAMERA_GRAB_WHEN_EMPTY";
}

}  // namespace

extern "C" {

esp_err_t esp_camera_init(const camera_config_t *config) {
  if (cam.initialized) return ESP_ERR_INVALID_STATE;
  if (!config || config->pixel_format != PIXFORMAT_JPEG) {
    standin::log("camera: the stand-in only does PIXFORMAT_JPEG");
    return ESP_ERR_CAMERA_NOT_SUPPORTED;
  }
  if (config->fb_count < 1) return ESP_ERR_INVALID_ARG;
  if (!load_frames()) return ESP_ERR_CAMERA_NOT_DETECTED;
  cam.config = *config;
  cam.fps = (double)standin::env_int("ESP32CAM_STANDIN_FPS", 20);
  if (cam.fps <= 0) cam.fps = 20;
  cam.fail_id = standin::env_str("ESP32CAM_STANDIN_FAIL", "");
  setup_sensor(cam.sensor);
  cam.sensor.status.framesize = config->frame_size;
  cam.sensor.status.quality = (uint8_t)config->jpeg_quality;
  cam.buffers.assign(config->fb_count, camera_fb_t{});
  cam.held.assign(config->fb_count, false);
  cam.t0 = clock_type::now();
  cam.last_return = cam.t0;
  cam.initialized = true;
  standin::log("camera init: OV2640, frame_size=%d jpeg_quality=%d fb_count=%zu grab_mode=%s fb_location=%s xclk=%d fps=%g",
               (int)config->frame_size, config->jpeg_quality, config->fb_count, grab_mode_name(config->grab_mode),
               config->fb_location == CAMERA_FB_IN_PSRAM ? "PSRAM" : "DRAM", config->xclk_freq_hz, cam.fps);
  return ESP_OK;
}

esp_err_t esp_camera_deinit(void) {
  if (!cam.initialized) return ESP_ERR_INVALID_STATE;
  cam = Camera{};
  return ESP_OK;
}

camera_fb_t *esp_camera_fb_get(void) {
  if (!cam.initialized) return nullptr;
  auto slot = std::find(cam.held.begin(), cam.held.end(), false);
  if (slot == cam.held.end()) {
    standin::log("camera: fb_get with all %zu frame buffers held (missing esp_camera_fb_return?): "
                 "Failed to get the frame on time!", cam.held.size());
    std::this_thread::sleep_for(std::chrono::seconds(4));
    return nullptr;
  }
  const auto period = std::chrono::duration<double>(1.0 / cam.fps);
  auto frame_at = [&](long long k) {
    return cam.t0 + std::chrono::duration_cast<clock_type::duration>(period * (double)k);
  };
  auto now = clock_type::now();
  long long newest = (long long)std::floor(std::chrono::duration<double>(now - cam.t0).count() * cam.fps);
  long long k;
  if (cam.config.grab_mode == CAMERA_GRAB_LATEST && cam.config.fb_count > 1) {
    k = newest > cam.last_taken ? newest : cam.last_taken + 1;
  } else {
    // The buffer is filled by the first frame that starts after it came back.
    long long after_return = (long long)std::floor(std::chrono::duration<double>(cam.last_return - cam.t0).count() * cam.fps) + 1;
    k = std::max(after_return, cam.last_taken + 1);
  }
  std::this_thread::sleep_until(frame_at(k));
  cam.last_taken = k;

  const auto *list = current_frames();
  size_t index = list ? (*list)[cam.next_file % list->size()] : cam.next_file % cam.frames.size();
  cam.next_file++;
  Jpeg &j = cam.frames[index];

  size_t b = (size_t)(slot - cam.held.begin());
  cam.held[b] = true;
  camera_fb_t &fb = cam.buffers[b];
  fb.buf = j.bytes.data();
  fb.len = j.bytes.size();
  fb.width = j.width;
  fb.height = j.height;
  fb.format = PIXFORMAT_JPEG;
  auto since_boot = std::chrono::duration_cast<std::chrono::microseconds>(frame_at(k).time_since_epoch()).count();
  fb.timestamp.tv_sec = (time_t)(since_boot / 1000000);
  fb.timestamp.tv_usec = (suseconds_t)(since_boot % 1000000);
  return &fb;
}

void esp_camera_fb_return(camera_fb_t *fb) {
  for (size_t i = 0; i < cam.buffers.size(); i++) {
    if (&cam.buffers[i] == fb && cam.held[i]) {
      cam.held[i] = false;
      cam.last_return = clock_type::now();
      return;
    }
  }
  standin::log("camera: esp_camera_fb_return of a buffer that is not held");
}

void esp_camera_return_all(void) {
  std::fill(cam.held.begin(), cam.held.end(), false);
}

sensor_t *esp_camera_sensor_get(void) {
  return cam.initialized ? &cam.sensor : nullptr;
}

camera_sensor_info_t *esp_camera_sensor_get_info(sensor_id_t *id) {
  if (id && id->PID == OV2640_PID) return const_cast<camera_sensor_info_t *>(&camera_sensor[0]);
  return nullptr;
}

}  // extern "C"
