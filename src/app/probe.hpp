#pragma once

#include "app/options.hpp"

namespace wscam {

/** `wscam --source URI --probe`: reads frames for a while and prints what the camera sends. Returns the exit code. */
int run_probe(const app_options& options);

}  // namespace wscam
