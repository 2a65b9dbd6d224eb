#pragma once
#include <Arduino.h>  // IPAddress lives there in the stand-in
