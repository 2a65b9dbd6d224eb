// wscam camera firmware for the ESP32-CAM (and the other boards in camera_pins.h).
//
// Push mode (default): connects out to ws(s)://SERVER:PORT/publish/STREAM?token=TOKEN of a
// wscam server and sends every frame the camera gives as one binary WebSocket message. Its
// first text message announces the camera's controls; the server then sends
// {"type":"control","id":...,"value":N} and the board answers with control_changed or error.
//
// Local mode: the tutorial's layout, a page on port 80 and a WebSocket on port 81 that sends
// every frame to every connected browser.
//
// Settings: config.h. Libraries: arduino-esp32 (esp_camera, WiFi, WebServer) and
// "WebSockets" by Markus Sattler (Links2004/arduinoWebSockets).

#include "config.h"
#include "camera_pins.h"

#include "esp_camera.h"
#include <WiFi.h>
#include <WebServer.h>
#include <WebSocketsClient.h>
#include <WebSocketsServer.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if WSCAM_FLASH_LED && defined(LED_GPIO_NUM)
#define WSCAM_HAS_LED 1
#else
#define WSCAM_HAS_LED 0
#endif

// ------------------------------------------------------------------------------------------
// Types first (the Arduino builder puts its function prototypes before the first function).
// ------------------------------------------------------------------------------------------

enum ControlKind { CONTROL_INT, CONTROL_BOOL, CONTROL_MENU };

// One camera setting as announced to the server (step is always 1). Reading and setting it:
// controlValue() and applyControl() below, by id, like CameraWebServer's cmd_handler.
struct Control {
  const char *id;
  const char *name;
  ControlKind kind;
  int min;
  int max;
  const char *const *labels;  // menus with fixed entries (value = index); framesize: nullptr
};

// The one text message a server sends us: {"type":"control","id":"brightness","value":1}.
struct ControlMessage {
  char type[24];
  char id[65];
  long value;
  bool hasType;
  bool hasId;
  bool hasValue;
};

// A JSON text being built in a fixed buffer; `overflow` is set instead of writing past it.
struct JsonOut {
  char *buf;
  size_t cap;
  size_t len;
  bool overflow;
};

// ------------------------------------------------------------------------------------------
// State
// ------------------------------------------------------------------------------------------

WebSocketsClient wsClient;                   // push mode
WebServer httpServer(WSCAM_HTTP_PORT);       // local mode: the page
WebSocketsServer wsServer(WSCAM_WS_PORT);    // local mode: the frames

static bool pushConnected = false;
static unsigned long pushLostAt = 0;  // since when we are not connected
static bool pushHinted = false;
static framesize_t maxFrameSize = FRAMESIZE_UXGA;  // largest size the frame buffers hold
static int ledIntensity = 0;
static unsigned long statsSince = 0;
static unsigned long statsFrames = 0;
static unsigned long statsBytes = 0;

static char jsonBuffer[6144];  // hello, replies

static const char *const SPECIAL_EFFECTS[] = {"No effect", "Negative", "Grayscale", "Red tint", "Green tint", "Blue tint", "Sepia"};
static const char *const WB_MODES[] = {"Auto", "Sunny", "Cloudy", "Office", "Home"};
static const char *const GAIN_CEILINGS[] = {"2x", "4x", "8x", "16x", "32x", "64x", "128x"};

// Names of esp32-camera's frame sizes, looked up by their resolution (the enum's numbering
// differs between esp32-camera versions; resolution[] always matches the one compiled in).
struct SizeName {
  uint16_t width;
  uint16_t height;
  const char *name;
};
static const SizeName SIZE_NAMES[] = {
  {96, 96, "96x96"},     {160, 120, "QQVGA"},   {128, 128, "128x128"}, {176, 144, "QCIF"},   {240, 176, "HQVGA"},
  {240, 240, "240x240"}, {320, 240, "QVGA"},    {320, 320, "320x320"}, {400, 296, "CIF"},    {480, 320, "HVGA"},
  {640, 480, "VGA"},     {800, 600, "SVGA"},    {1024, 768, "XGA"},    {1280, 720, "HD"},    {1280, 1024, "SXGA"},
  {1600, 1200, "UXGA"},  {1920, 1080, "FHD"},   {720, 1280, "P_HD"},   {864, 1536, "P_3MP"}, {2048, 1536, "QXGA"},
  {2560, 1440, "QHD"},   {2560, 1600, "WQXGA"}, {1080, 1920, "P_FHD"}, {2560, 1920, "QSXGA"}, {2592, 1944, "5MP"},
};

// CameraWebServer's controls, names and ranges (OV2640).
static const Control CONTROLS[] = {
  {"framesize", "Frame size", CONTROL_MENU, 0, 0, nullptr},  // up to maxFrameSize
  {"quality", "Quality (lower is better)", CONTROL_INT, 4, 63, nullptr},
  {"brightness", "Brightness", CONTROL_INT, -2, 2, nullptr},
  {"contrast", "Contrast", CONTROL_INT, -2, 2, nullptr},
  {"saturation", "Saturation", CONTROL_INT, -2, 2, nullptr},
  {"special_effect", "Special effect", CONTROL_MENU, 0, 6, SPECIAL_EFFECTS},
  {"awb", "Auto white balance", CONTROL_BOOL, 0, 1, nullptr},
  {"awb_gain", "Auto white balance gain", CONTROL_BOOL, 0, 1, nullptr},
  {"wb_mode", "White balance", CONTROL_MENU, 0, 4, WB_MODES},
  {"aec", "Auto exposure (sensor)", CONTROL_BOOL, 0, 1, nullptr},
  {"aec2", "Auto exposure (DSP)", CONTROL_BOOL, 0, 1, nullptr},
  {"ae_level", "Exposure level", CONTROL_INT, -2, 2, nullptr},
  {"aec_value", "Exposure", CONTROL_INT, 0, 1200, nullptr},
  {"agc", "Auto gain", CONTROL_BOOL, 0, 1, nullptr},
  {"agc_gain", "Gain", CONTROL_INT, 0, 30, nullptr},
  {"gainceiling", "Gain ceiling", CONTROL_MENU, 0, 6, GAIN_CEILINGS},
  {"bpc", "Black pixel correction", CONTROL_BOOL, 0, 1, nullptr},
  {"wpc", "White pixel correction", CONTROL_BOOL, 0, 1, nullptr},
  {"raw_gma", "Raw gamma", CONTROL_BOOL, 0, 1, nullptr},
  {"lenc", "Lens correction", CONTROL_BOOL, 0, 1, nullptr},
  {"hmirror", "Mirror", CONTROL_BOOL, 0, 1, nullptr},
  {"vflip", "Flip", CONTROL_BOOL, 0, 1, nullptr},
  {"dcw", "Downsize (DCW)", CONTROL_BOOL, 0, 1, nullptr},
  {"colorbar", "Color bar", CONTROL_BOOL, 0, 1, nullptr},
#if WSCAM_HAS_LED
  {"led_intensity", "LED intensity", CONTROL_INT, 0, 255, nullptr},
#endif
};
static const size_t CONTROL_COUNT = sizeof(CONTROLS) / sizeof(CONTROLS[0]);

// The local-mode page: shows each frame from ws://HOST:WS_PORT/ as a Blob URL (no base64).
static const char PAGE_HEAD[] PROGMEM = R"HTML(<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ESP32-CAM</title>
<style>body{margin:0;background:#111;color:#ddd;font:14px sans-serif;text-align:center}
img{max-width:100%;height:auto;display:block;margin:0 auto}#s{padding:6px}</style></head>
<body><img id="v" alt="camera"><div id="s">connecting...</div>
<script>
const WS_PORT = )HTML";
static const char PAGE_TAIL[] PROGMEM = R"HTML(;
const img = document.getElementById('v'), status = document.getElementById('s');
let busy = false, next = null, shown = null, frames = 0, since = performance.now();
function show(blob) {  // one picture decoding at a time; the newest waiting one wins
  if (busy) { next = blob; return; }
  busy = true;
  const url = URL.createObjectURL(blob);
  img.onload = img.onerror = () => {
    if (shown) URL.revokeObjectURL(shown);
    shown = url; busy = false; frames++;
    if (next) { const b = next; next = null; show(b); }
  };
  img.src = url;
}
function connect() {
  const ws = new WebSocket(`ws://${location.hostname}:${WS_PORT}/`);
  ws.binaryType = 'blob';
  ws.onopen = () => { status.textContent = 'connected'; };
  ws.onmessage = (e) => { if (typeof e.data !== 'string') show(e.data); };
  ws.onclose = () => { status.textContent = 'reconnecting...'; setTimeout(connect, 1000); };
}
setInterval(() => {
  const now = performance.now();
  if (frames) status.textContent = `${(frames * 1000 / (now - since)).toFixed(1)} fps`;
  frames = 0; since = now;
}, 2000);
connect();
</script></body></html>
)HTML";

// ------------------------------------------------------------------------------------------
// JSON, by hand: the messages are tiny and fixed in shape.
// ------------------------------------------------------------------------------------------

static void jsonStart(JsonOut &out, char *buf, size_t cap) {
  out.buf = buf;
  out.cap = cap;
  out.len = 0;
  out.overflow = false;
  buf[0] = 0;
}

static void jsonf(JsonOut &out, const char *fmt, ...) {
  if (out.overflow) return;
  va_list args;
  va_start(args, fmt);
  int n = vsnprintf(out.buf + out.len, out.cap - out.len, fmt, args);
  va_end(args);
  if (n < 0 || (size_t)n >= out.cap - out.len) {
    out.overflow = true;
    out.buf[out.len] = 0;
    return;
  }
  out.len += (size_t)n;
}

// A string value with quotes; control characters become spaces, at most 64 bytes of it.
static void jsonString(JsonOut &out, const char *s) {
  jsonf(out, "\"");
  for (size_t i = 0; s[i] && i < 64; i++) {
    char c = s[i];
    if (c == '"' || c == '\\') jsonf(out, "\\%c", c);
    else if ((unsigned char)c < 0x20) jsonf(out, " ");
    else jsonf(out, "%c", c);
  }
  jsonf(out, "\"");
}

static const char *skipSpace(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

// Reads a JSON string at p (which points at its opening quote) into dst (cut to cap-1 bytes).
static const char *readString(const char *p, const char *end, char *dst, size_t cap) {
  size_t n = 0;
  p++;
  while (p < end && *p != '"') {
    char c = *p++;
    if (c == '\\') {
      if (p >= end) return nullptr;
      char e = *p++;
      switch (e) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'u':
          if (end - p < 4) return nullptr;
          p += 4;
          c = '?';
          break;
        default: c = e; break;  // \" \\ \/
      }
    }
    if (dst && n + 1 < cap) dst[n++] = c;
  }
  if (p >= end) return nullptr;
  if (dst) dst[n] = 0;
  return p + 1;
}

// Skips any JSON value (nested objects and arrays included).
static const char *skipValue(const char *p, const char *end) {
  if (p >= end) return nullptr;
  if (*p == '"') return readString(p, end, nullptr, 0);
  if (*p == '{' || *p == '[') {
    int depth = 0;
    while (p < end) {
      if (*p == '"') {
        p = readString(p, end, nullptr, 0);
        if (!p) return nullptr;
        continue;
      }
      if (*p == '{' || *p == '[') depth++;
      if (*p == '}' || *p == ']') {
        depth--;
        if (depth == 0) return p + 1;
      }
      p++;
    }
    return nullptr;
  }
  while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') p++;
  return p;
}

// Parses {"type":"control","id":"...","value":N}; members in any order, others ignored.
static bool parseControlMessage(const char *text, size_t length, ControlMessage &m) {
  memset(&m, 0, sizeof(m));
  const char *p = text, *end = text + length;
  p = skipSpace(p, end);
  if (p >= end || *p != '{') return false;
  p = skipSpace(p + 1, end);
  if (p < end && *p == '}') return true;
  while (p < end) {
    if (*p != '"') return false;
    char key[16];
    p = readString(p, end, key, sizeof(key));
    if (!p) return false;
    p = skipSpace(p, end);
    if (p >= end || *p != ':') return false;
    p = skipSpace(p + 1, end);
    if (p >= end) return false;
    if (!strcmp(key, "type") && *p == '"') {
      p = readString(p, end, m.type, sizeof(m.type));
      m.hasType = true;
    } else if (!strcmp(key, "id") && *p == '"') {
      p = readString(p, end, m.id, sizeof(m.id));
      m.hasId = true;
    } else if (!strcmp(key, "value") && (*p == '-' || (*p >= '0' && *p <= '9'))) {
      char number[32];
      size_t n = 0;
      while (p < end && n + 1 < sizeof(number) && strchr("+-0123456789.eE", *p)) number[n++] = *p++;
      number[n] = 0;
      char *stop = nullptr;
      double v = strtod(number, &stop);
      if (stop == number || *stop) return false;
      if (v == (double)(long)v && v >= -1e9 && v <= 1e9) {  // 1 and 1.0 alike; 1.5 is no value
        m.value = (long)v;
        m.hasValue = true;
      }
    } else if (!strcmp(key, "value") && end - p >= 4 && !strncmp(p, "true", 4)) {
      m.value = 1;
      m.hasValue = true;
      p += 4;
    } else if (!strcmp(key, "value") && end - p >= 5 && !strncmp(p, "false", 5)) {
      m.value = 0;
      m.hasValue = true;
      p += 5;
    } else {
      p = skipValue(p, end);
    }
    if (!p) return false;
    p = skipSpace(p, end);
    if (p < end && *p == ',') {
      p = skipSpace(p + 1, end);
      continue;
    }
    return p < end && *p == '}';
  }
  return false;
}

// ------------------------------------------------------------------------------------------
// Controls
// ------------------------------------------------------------------------------------------

static int setLed(int v) {
#if WSCAM_HAS_LED
  ledIntensity = v;
#if defined(ESP_ARDUINO_VERSION_MAJOR) && ESP_ARDUINO_VERSION_MAJOR >= 3
  ledcWrite(LED_GPIO_NUM, v);
#else
  ledcWrite(2, v);  // arduino-esp32 2.x: channel 2 (the camera's clock uses channel 0)
#endif
  return 0;
#else
  (void)v;
  return -1;
#endif
}

static void setupLed() {
#if WSCAM_HAS_LED
#if defined(ESP_ARDUINO_VERSION_MAJOR) && ESP_ARDUINO_VERSION_MAJOR >= 3
  ledcAttach(LED_GPIO_NUM, 5000, 8);
#else
  ledcSetup(2, 5000, 8);
  ledcAttachPin(LED_GPIO_NUM, 2);
#endif
  setLed(0);
#endif
}

// The value in effect, as the sensor driver reports it.
static int controlValue(sensor_t *s, const char *id) {
  const camera_status_t &st = s->status;
  if (!strcmp(id, "framesize")) return (int)st.framesize;
  if (!strcmp(id, "quality")) return st.quality;
  if (!strcmp(id, "brightness")) return st.brightness;
  if (!strcmp(id, "contrast")) return st.contrast;
  if (!strcmp(id, "saturation")) return st.saturation;
  if (!strcmp(id, "special_effect")) return st.special_effect;
  if (!strcmp(id, "awb")) return st.awb;
  if (!strcmp(id, "awb_gain")) return st.awb_gain;
  if (!strcmp(id, "wb_mode")) return st.wb_mode;
  if (!strcmp(id, "aec")) return st.aec;
  if (!strcmp(id, "aec2")) return st.aec2;
  if (!strcmp(id, "ae_level")) return st.ae_level;
  if (!strcmp(id, "aec_value")) return st.aec_value;
  if (!strcmp(id, "agc")) return st.agc;
  if (!strcmp(id, "agc_gain")) return st.agc_gain;
  if (!strcmp(id, "gainceiling")) return st.gainceiling;
  if (!strcmp(id, "bpc")) return st.bpc;
  if (!strcmp(id, "wpc")) return st.wpc;
  if (!strcmp(id, "raw_gma")) return st.raw_gma;
  if (!strcmp(id, "lenc")) return st.lenc;
  if (!strcmp(id, "hmirror")) return st.hmirror;
  if (!strcmp(id, "vflip")) return st.vflip;
  if (!strcmp(id, "dcw")) return st.dcw;
  if (!strcmp(id, "colorbar")) return st.colorbar;
  if (!strcmp(id, "led_intensity")) return ledIntensity;
  return 0;
}

// Calls the sensor's setter; 0 = applied, anything else = refused (-1 also when this sensor
// has no such setter).
#define WSCAM_SET(fn, value) (s->fn ? s->fn(s, value) : -1)
static int applyControl(sensor_t *s, const char *id, int v) {
  if (!strcmp(id, "framesize")) return WSCAM_SET(set_framesize, (framesize_t)v);
  if (!strcmp(id, "quality")) return WSCAM_SET(set_quality, v);
  if (!strcmp(id, "brightness")) return WSCAM_SET(set_brightness, v);
  if (!strcmp(id, "contrast")) return WSCAM_SET(set_contrast, v);
  if (!strcmp(id, "saturation")) return WSCAM_SET(set_saturation, v);
  if (!strcmp(id, "special_effect")) return WSCAM_SET(set_special_effect, v);
  if (!strcmp(id, "awb")) return WSCAM_SET(set_whitebal, v);
  if (!strcmp(id, "awb_gain")) return WSCAM_SET(set_awb_gain, v);
  if (!strcmp(id, "wb_mode")) return WSCAM_SET(set_wb_mode, v);
  if (!strcmp(id, "aec")) return WSCAM_SET(set_exposure_ctrl, v);
  if (!strcmp(id, "aec2")) return WSCAM_SET(set_aec2, v);
  if (!strcmp(id, "ae_level")) return WSCAM_SET(set_ae_level, v);
  if (!strcmp(id, "aec_value")) return WSCAM_SET(set_aec_value, v);
  if (!strcmp(id, "agc")) return WSCAM_SET(set_gain_ctrl, v);
  if (!strcmp(id, "agc_gain")) return WSCAM_SET(set_agc_gain, v);
  if (!strcmp(id, "gainceiling")) return WSCAM_SET(set_gainceiling, (gainceiling_t)v);
  if (!strcmp(id, "bpc")) return WSCAM_SET(set_bpc, v);
  if (!strcmp(id, "wpc")) return WSCAM_SET(set_wpc, v);
  if (!strcmp(id, "raw_gma")) return WSCAM_SET(set_raw_gma, v);
  if (!strcmp(id, "lenc")) return WSCAM_SET(set_lenc, v);
  if (!strcmp(id, "hmirror")) return WSCAM_SET(set_hmirror, v);
  if (!strcmp(id, "vflip")) return WSCAM_SET(set_vflip, v);
  if (!strcmp(id, "dcw")) return WSCAM_SET(set_dcw, v);
  if (!strcmp(id, "colorbar")) return WSCAM_SET(set_colorbar, v);
  if (!strcmp(id, "led_intensity")) return setLed(v);
  return -1;
}

static const Control *findControl(const char *id) {
  for (size_t i = 0; i < CONTROL_COUNT; i++) {
    if (!strcmp(CONTROLS[i].id, id)) return &CONTROLS[i];
  }
  return nullptr;
}

static int controlMax(const Control &c) {
  return strcmp(c.id, "framesize") == 0 ? (int)maxFrameSize : c.max;
}

static const char *sizeName(uint16_t w, uint16_t h) {
  for (size_t i = 0; i < sizeof(SIZE_NAMES) / sizeof(SIZE_NAMES[0]); i++) {
    if (SIZE_NAMES[i].width == w && SIZE_NAMES[i].height == h) return SIZE_NAMES[i].name;
  }
  return "";
}

static void writeControl(JsonOut &out, const Control &c, sensor_t *s) {
  jsonf(out, "{\"id\":\"%s\",\"name\":\"%s\",", c.id, c.name);
  int value = controlValue(s, c.id);
  if (c.kind == CONTROL_INT) {
    jsonf(out, "\"type\":\"int\",\"min\":%d,\"max\":%d,\"step\":1,\"value\":%d}", c.min, c.max, value);
  } else if (c.kind == CONTROL_BOOL) {
    jsonf(out, "\"type\":\"bool\",\"value\":%d}", value ? 1 : 0);
  } else {
    jsonf(out, "\"type\":\"menu\",\"value\":%d,\"options\":[", value);
    int last = controlMax(c);
    for (int v = c.min; v <= last; v++) {
      if (v > c.min) jsonf(out, ",");
      if (c.labels) {
        jsonf(out, "{\"value\":%d,\"label\":\"%s\"}", v, c.labels[v]);
      } else {  // frame sizes: "VGA 640x480"
        const resolution_info_t &r = resolution[v];
        const char *name = sizeName(r.width, r.height);
        if (*name && strchr(name, 'x') == nullptr) {
          jsonf(out, "{\"value\":%d,\"label\":\"%s %ux%u\"}", v, name, (unsigned)r.width, (unsigned)r.height);
        } else {
          jsonf(out, "{\"value\":%d,\"label\":\"%ux%u\"}", v, (unsigned)r.width, (unsigned)r.height);
        }
      }
    }
    jsonf(out, "]}");
  }
}

// {"type":"hello","controls":[...]}: the first text after connecting.
static const char *helloMessage() {
  JsonOut out;
  jsonStart(out, jsonBuffer, sizeof(jsonBuffer));
  sensor_t *s = esp_camera_sensor_get();
  jsonf(out, "{\"type\":\"hello\",\"controls\":[");
  for (size_t i = 0; s && i < CONTROL_COUNT; i++) {
    if (i) jsonf(out, ",");
    writeControl(out, CONTROLS[i], s);
  }
  jsonf(out, "]}");
  if (out.overflow) {
    Serial.println("hello does not fit its buffer: no controls announced");
    jsonStart(out, jsonBuffer, sizeof(jsonBuffer));
    jsonf(out, "{\"type\":\"hello\",\"controls\":[]}");
  }
  return jsonBuffer;
}

static const char *errorReply(const char *id, const char *reason) {
  JsonOut out;
  jsonStart(out, jsonBuffer, sizeof(jsonBuffer));
  jsonf(out, "{\"type\":\"error\",");
  if (id) {
    jsonf(out, "\"id\":");
    jsonString(out, id);
    jsonf(out, ",");
  }
  jsonf(out, "\"reason\":");
  jsonString(out, reason);
  jsonf(out, "}");
  return jsonBuffer;
}

// Applies one text message from the server; returns the reply to send (nullptr: none) and
// sets *changed when the reply is a control_changed (which local mode sends to everyone).
static const char *handleText(const uint8_t *payload, size_t length, bool *changed) {
  *changed = false;
  ControlMessage m;
  // Only control messages get an answer (never an answer to an answer: no echo loops).
  if (!parseControlMessage((const char *)payload, length, m)) return nullptr;
  if (!m.hasType || strcmp(m.type, "control") != 0) return nullptr;
  if (!m.hasId) return errorReply(nullptr, "control needs an id");
  const Control *c = findControl(m.id);
  if (!c) return errorReply(m.id, "unknown control");
  if (!m.hasValue) return errorReply(m.id, "control needs an integer value");
  if (m.value < c->min || m.value > controlMax(*c)) return errorReply(m.id, "value out of range");
  sensor_t *s = esp_camera_sensor_get();
  if (!s) return errorReply(m.id, "no camera");
  int result = applyControl(s, c->id, (int)m.value);
  if (result != 0) {
    char reason[48];
    snprintf(reason, sizeof(reason), "the sensor refused it (error %d)", result);
    return errorReply(m.id, reason);
  }
  JsonOut out;
  jsonStart(out, jsonBuffer, sizeof(jsonBuffer));
  jsonf(out, "{\"type\":\"control_changed\",\"id\":\"%s\",\"value\":%d}", c->id, controlValue(s, c->id));
  *changed = true;
  return jsonBuffer;
}

// ------------------------------------------------------------------------------------------
// Push mode
// ------------------------------------------------------------------------------------------

// The URL without its ?token=..., for printing.
static int pathLength(const uint8_t *url, size_t length) {
  size_t n = 0;
  while (url && n < length && url[n] && url[n] != '?') n++;
  return (int)n;
}

static void onPushEvent(WStype_t type, uint8_t *payload, size_t length) {
  switch (type) {
    case WStype_CONNECTED:
      Serial.printf("connected to the server (%.*s)\n", pathLength(payload, length), (const char *)payload);
      wsClient.sendTXT(helloMessage());  // first text: the controls
      pushConnected = true;
      pushHinted = false;
      statsSince = millis();
      statsFrames = statsBytes = 0;
      break;
    case WStype_DISCONNECTED:
      if (pushConnected) {
        Serial.println("disconnected from the server; reconnecting");
        pushLostAt = millis();
      }
      pushConnected = false;
      break;
    case WStype_TEXT: {
      bool changed = false;
      const char *reply = handleText(payload, length, &changed);
      if (reply) wsClient.sendTXT(reply);
      break;
    }
    default:
      break;  // binary, pings, pongs, fragments: nothing to do
  }
}

static void appendUrlEncoded(char *dst, size_t cap, const char *src) {
  size_t n = strlen(dst);
  for (; *src && n + 4 < cap; src++) {
    unsigned char c = (unsigned char)*src;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
      dst[n++] = (char)c;
    } else {
      n += (size_t)snprintf(dst + n, cap - n, "%%%02X", c);
    }
  }
  dst[n] = 0;
}

static void startPush() {
  static char url[256];
  snprintf(url, sizeof(url), "/publish/%s?token=", (const char *)WSCAM_STREAM);
  appendUrlEncoded(url, sizeof(url), WSCAM_TOKEN);
  const char *host = WSCAM_SERVER_HOST;
  uint16_t port = (uint16_t)(WSCAM_SERVER_PORT);
  Serial.printf("publishing to %s://%s:%u/publish/%s\n", WSCAM_USE_TLS ? "wss" : "ws", host, (unsigned)port, (const char *)WSCAM_STREAM);
  if (WSCAM_USE_TLS) {
    const char *ca = WSCAM_TLS_CA_CERT;
    if (ca && *ca) wsClient.beginSslWithCA(host, port, url, ca);
    else wsClient.beginSSL(host, port, url);
  } else {
    wsClient.begin(host, port, url);
  }
  wsClient.onEvent(onPushEvent);
  wsClient.setReconnectInterval(WSCAM_RECONNECT_MS);
  if (WSCAM_HEARTBEAT_MS > 0) wsClient.enableHeartbeat(WSCAM_HEARTBEAT_MS, 3000, 2);
}

static void loopPush() {
  wsClient.loop();  // reads control messages, answers pings, reconnects
  if (!pushConnected) {
    if (!pushHinted && millis() - pushLostAt > 20000) {
      Serial.println("still not connected: check WSCAM_SERVER_HOST/PORT, WSCAM_TOKEN and WSCAM_STREAM in config.h, "
                     "and that wscam runs with --stream NAME=push: and --publish-token");
      pushHinted = true;
    }
    delay(5);
    return;
  }
  camera_fb_t *fb = esp_camera_fb_get();  // waits for the next frame (the newest, with 2 buffers)
  if (!fb) {
    Serial.println("camera capture failed");
    delay(10);
    return;
  }
  if (wsClient.sendBIN(fb->buf, fb->len)) {
    statsFrames++;
    statsBytes += fb->len;
  }
  esp_camera_fb_return(fb);  // at once: the driver fills it again while we send the next one

  unsigned long now = millis();
  if (now - statsSince >= 30000) {  // one line every 30 s, never per frame
    Serial.printf("%.1f fps, %lu KB/s, WiFi %d dBm\n", statsFrames * 1000.0 / (now - statsSince),
                  (unsigned long)(statsBytes / (now - statsSince)), (int)WiFi.RSSI());
    statsSince = now;
    statsFrames = statsBytes = 0;
  }
}

// ------------------------------------------------------------------------------------------
// Local mode
// ------------------------------------------------------------------------------------------

static void onLocalEvent(uint8_t num, WStype_t type, uint8_t *payload, size_t length) {
  switch (type) {
    case WStype_CONNECTED:
      Serial.printf("viewer %u connected\n", (unsigned)num);
      break;
    case WStype_DISCONNECTED:
      Serial.printf("viewer %u disconnected\n", (unsigned)num);
      break;
    case WStype_TEXT: {  // the same control messages as in push mode
      bool changed = false;
      const char *reply = handleText(payload, length, &changed);
      if (reply && changed) wsServer.broadcastTXT(reply);
      else if (reply) wsServer.sendTXT(num, reply);
      break;
    }
    default:
      break;
  }
}

static void handlePage() {
  String page = PAGE_HEAD;
  page += String((unsigned)(WSCAM_WS_PORT));
  page += PAGE_TAIL;
  httpServer.send(200, "text/html", page);
}

static void handleNoContent() {
  httpServer.send(204);
}

static void startLocal() {
  httpServer.on("/", handlePage);
  httpServer.on("/favicon.ico", handleNoContent);  // browsers ask; a 404 costs the board more
  httpServer.begin();
  wsServer.begin();
  wsServer.onEvent(onLocalEvent);
  Serial.printf("open http://%s:%u/ (frames on ws://%s:%u/)\n", WiFi.localIP().toString().c_str(), (unsigned)(WSCAM_HTTP_PORT),
                WiFi.localIP().toString().c_str(), (unsigned)(WSCAM_WS_PORT));
}

static void loopLocal() {
  httpServer.handleClient();
  wsServer.loop();
  if (wsServer.connectedClients() == 0) {
    delay(5);
    return;
  }
  camera_fb_t *fb = esp_camera_fb_get();
  if (!fb) {
    Serial.println("camera capture failed");
    delay(10);
    return;
  }
  wsServer.broadcastBIN(fb->buf, fb->len);  // every viewer, not only the last one
  esp_camera_fb_return(fb);
}

// ------------------------------------------------------------------------------------------
// Setup
// ------------------------------------------------------------------------------------------

static bool startCamera() {
  camera_config_t config;
  memset(&config, 0, sizeof(config));
  config.ledc_channel = LEDC_CHANNEL_0;
  config.ledc_timer = LEDC_TIMER_0;
  config.pin_d0 = Y2_GPIO_NUM;
  config.pin_d1 = Y3_GPIO_NUM;
  config.pin_d2 = Y4_GPIO_NUM;
  config.pin_d3 = Y5_GPIO_NUM;
  config.pin_d4 = Y6_GPIO_NUM;
  config.pin_d5 = Y7_GPIO_NUM;
  config.pin_d6 = Y8_GPIO_NUM;
  config.pin_d7 = Y9_GPIO_NUM;
  config.pin_xclk = XCLK_GPIO_NUM;
  config.pin_pclk = PCLK_GPIO_NUM;
  config.pin_vsync = VSYNC_GPIO_NUM;
  config.pin_href = HREF_GPIO_NUM;
  config.pin_sccb_sda = SIOD_GPIO_NUM;
  config.pin_sccb_scl = SIOC_GPIO_NUM;
  config.pin_pwdn = PWDN_GPIO_NUM;
  config.pin_reset = RESET_GPIO_NUM;
  config.xclk_freq_hz = 20000000;
  config.pixel_format = PIXFORMAT_JPEG;
  config.jpeg_quality = WSCAM_JPEG_QUALITY;
  if (psramFound()) {
    // Buffers sized for the largest picture, so that Frame size can be raised later; two of
    // them, always holding the newest frames: the driver fills one while we send the other.
    config.frame_size = FRAMESIZE_UXGA;
    config.fb_location = CAMERA_FB_IN_PSRAM;
    config.fb_count = 2;
    config.grab_mode = CAMERA_GRAB_LATEST;
  } else {
    // Without PSRAM only one small buffer fits: expect a low frame rate.
    Serial.println("no PSRAM: one frame buffer, at most SVGA; expect a low frame rate");
    config.frame_size = WSCAM_FRAME_SIZE > FRAMESIZE_SVGA ? FRAMESIZE_SVGA : WSCAM_FRAME_SIZE;
    config.fb_location = CAMERA_FB_IN_DRAM;
    config.fb_count = 1;
    config.grab_mode = CAMERA_GRAB_WHEN_EMPTY;
  }
#if defined(CAMERA_MODEL_ESP_EYE)
  pinMode(13, INPUT_PULLUP);
  pinMode(14, INPUT_PULLUP);
#endif
  esp_err_t err = esp_camera_init(&config);
  if (err != ESP_OK) {
    Serial.printf("camera init failed with error 0x%x\n", (unsigned)err);
    return false;
  }
  sensor_t *s = esp_camera_sensor_get();
  maxFrameSize = config.frame_size;
  camera_sensor_info_t *info = esp_camera_sensor_get_info(&s->id);
  if (info && psramFound() && info->max_size < maxFrameSize) maxFrameSize = info->max_size;
  if (s->id.PID == OV3660_PID) {  // as Espressif's example: this sensor starts flipped and saturated
    s->set_vflip(s, 1);
    s->set_brightness(s, 1);
    s->set_saturation(s, -2);
  }
#if defined(CAMERA_MODEL_M5STACK_WIDE)
  s->set_vflip(s, 1);
  s->set_hmirror(s, 1);
#endif
#if defined(CAMERA_MODEL_ESP32S3_EYE)
  s->set_vflip(s, 1);
#endif
  framesize_t size = WSCAM_FRAME_SIZE;
  s->set_framesize(s, size > maxFrameSize ? maxFrameSize : size);
  s->set_quality(s, WSCAM_JPEG_QUALITY);
  return true;
}

void setup() {
  Serial.begin(WSCAM_SERIAL_BAUD);
  Serial.println();
  Serial.println("wscam ESP32-CAM firmware");

  if (!startCamera()) {
    delay(5000);
    ESP.restart();  // a loose ribbon or a brown-out: try again from the start
  }
  setupLed();

  WiFi.mode(WIFI_STA);
  WiFi.setSleep(false);  // WiFi power save costs most of the frame rate
  WiFi.begin(WSCAM_WIFI_SSID, WSCAM_WIFI_PASSWORD);
  Serial.print("WiFi");
  unsigned long started = millis();
  while (WiFi.status() != WL_CONNECTED) {
    if (millis() - started > 30000) {
      Serial.println(" not connected after 30 s: restarting");
      ESP.restart();
    }
    delay(250);
    Serial.print(".");
  }
  Serial.printf(" connected: %s, signal %d dBm\n", WiFi.localIP().toString().c_str(), (int)WiFi.RSSI());

  if (WSCAM_MODE == WSCAM_MODE_LOCAL) startLocal();
  else startPush();
}

void loop() {
  if (WSCAM_MODE == WSCAM_MODE_LOCAL) loopLocal();
  else loopPush();
}
