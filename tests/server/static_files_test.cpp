#include "server/static_files.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "server/web_assets.hpp"

namespace wscam {
namespace {

/** A fresh folder to play --web-root, removed afterwards. */
struct web_root {
    std::filesystem::path path;
    web_root() {
        std::string pattern = (std::filesystem::temp_directory_path() / "wscam-web-XXXXXX").string();
        path = mkdtemp(pattern.data());
    }
    ~web_root() { std::filesystem::remove_all(path); }
    void write(const std::string& name, const std::string& body) const {
        std::ofstream(path / name, std::ios::binary) << body;
    }
};

TEST(static_files, the_viewer_is_served_from_the_copy_embedded_at_build_time) {
    const auto page = static_file("", "index.html");
    ASSERT_TRUE(page);
    ASSERT_TRUE(find_web_asset("index.html"));
    EXPECT_EQ(*page, find_web_asset("index.html")->body);
    EXPECT_FALSE(static_file("", "no-such-file.js"));
}

TEST(static_files, a_web_root_that_holds_the_file_comes_first) {
    const web_root root;
    root.write("index.html", "<p>working copy</p>");
    root.write("extra.js", std::string("a\0b", 3));
    EXPECT_EQ(static_file(root.path.string(), "index.html"), "<p>working copy</p>");
    EXPECT_EQ(static_file(root.path.string(), "extra.js"), std::string("a\0b", 3)) << "bytes as they are";
}

TEST(static_files, a_web_root_without_the_file_falls_back_to_the_embedded_copy) {
    const web_root root;
    ASSERT_TRUE(find_web_asset("viewer.js"));
    EXPECT_EQ(static_file(root.path.string(), "viewer.js"), find_web_asset("viewer.js")->body);
    EXPECT_FALSE(static_file(root.path.string(), "no-such-file.js"));
}

}  // namespace
}  // namespace wscam
