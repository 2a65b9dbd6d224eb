#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace wscam::record {

/**
 * An empty folder of its own for one test (named after the test and the process, so tests
 * running in parallel never share one), removed with everything in it when the test ends.
 */
struct temp_folder {
    std::filesystem::path path;
    explicit temp_folder(const std::string& prefix)
        : path(std::filesystem::temp_directory_path() /
               (prefix + "-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~temp_folder() { std::filesystem::remove_all(path); }
    temp_folder(const temp_folder&) = delete;
    temp_folder& operator=(const temp_folder&) = delete;
};

}  // namespace wscam::record
