// The sketch, compiled as C++ exactly as it is in firmware/esp32-cam/ (with prelude.h forced in
// front, as the Arduino builder puts #include <Arduino.h> in front of an .ino).
#include "esp32-cam.ino"
