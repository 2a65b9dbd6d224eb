#include "sources/source_factory.hpp"

#include <gtest/gtest.h>

#include "core/stream.hpp"
#include "source_errors.hpp"

namespace wscam {
namespace {

TEST(source_factory, explains_unknown_schemes_and_parameters) {
    auto hub = std::make_shared<stream>("cam");
    auto error_of = [&](const std::string& uri) { return testing::source_error(uri, hub); };
    EXPECT_NE(error_of("rtsp://cam/").find("not supported"), std::string::npos);
    EXPECT_NE(error_of("file:/no/such/dir").find("no such file"), std::string::npos);
    EXPECT_NE(error_of("pipe:").find("needs '-'"), std::string::npos);
    EXPECT_NE(error_of("pipe:-?fps=3").find("takes none"), std::string::npos);
    EXPECT_NE(error_of("file:/tmp?speed=2").find("unknown parameter 'speed'"), std::string::npos);
    EXPECT_NE(error_of("http://ho st/").find("'http://ho st/'"), std::string::npos);
    EXPECT_EQ(error_of("push:?token=abc"), "accepted");
    EXPECT_TRUE(hub->gate());
    EXPECT_TRUE(hub->gate()->token_ok("abc"));
}

}  // namespace
}  // namespace wscam
