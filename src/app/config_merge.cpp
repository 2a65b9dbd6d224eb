#include "app/config_merge.hpp"

namespace wscam {

std::string config_path_in(const std::vector<std::string>& args) {
    std::string path;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) path = args[i + 1];
        if (args[i].rfind("--config=", 0) == 0) path = args[i].substr(9);
    }
    return path;
}

std::vector<std::string> config_arguments(const config_document& file, const CLI::App& cli) {
    std::vector<std::string> args;
    for (const auto& setting : file.settings) {
        const CLI::Option* opt = cli.get_option_no_throw("--" + setting.option);
        if (!opt)
            throw config_file_error(setting.where + ": unknown setting '" + setting.option +
                                    "' (the settings are the long options of wscam --help)");
        const bool flag = opt->get_expected_min() == 0;
        if (flag != setting.boolean)
            throw config_file_error(setting.where + ": " + setting.option +
                                    (flag ? " is true or false" : " takes a value, not true/false"));
        if (setting.values.size() > 1 && opt->get_expected_max() <= 1)
            throw config_file_error(setting.where + ": " + setting.option + " takes one value, not a list");
        for (const auto& v : setting.values) {
            if (flag) {
                if (v == "true") args.push_back("--" + setting.option);  // false: as if not typed
            } else {
                args.push_back("--" + setting.option);
                args.push_back(v);
            }
        }
    }
    return args;
}

std::vector<std::string> settings_named_in(const std::string& message, const config_document& file) {
    std::vector<std::string> notes;
    for (const auto& setting : file.settings)
        if (message.find("--" + setting.option) != std::string::npos)
            notes.push_back("(" + setting.where + " sets " + setting.option + ")");
    return notes;
}

}  // namespace wscam
