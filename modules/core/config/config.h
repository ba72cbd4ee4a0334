#pragma once
// Every setting of the platform in one table: the same key is a config-file line
// ("key = value") and a flag ("--key=value"), so --help, the example config and the
// parser can never disagree. Precedence: built-in default < config file < flag.

#include "core/status.h"

#include <QHostAddress>
#include <QMap>
#include <QString>
#include <QStringList>
#include <vector>

namespace rs::config {

struct OptionSpec {
  QString key;          // "data-dir"
  QString valueName;    // "DIR"; empty → boolean switch
  QString defaultValue; // as text; may be empty
  QString help;
  QString section;      // groups --help and the example config
};

// The option table, built once (role listen options are generated from the role list).
const std::vector<OptionSpec> &optionSpecs();
const OptionSpec *findSpec(QStringView key);

class Config {
 public:
  // Parses argv (argv[0] excluded). Subcommands and positional words are returned in
  // `positional`; "--help", "--version" and "--print-config" set the matching flags.
  static Result<Config> fromArguments(const QStringList &args);
  // Merges a config file below the flags already set. Unknown keys are errors, with
  // the file name and line number, so a typo never silently does nothing.
  Status loadFile(const QString &path);

  QString value(QStringView key) const;  // flag > file > default
  bool isSet(QStringView key) const;     // given by a flag or the file
  bool flag(QStringView key) const;      // boolean switches: "true"/"1"/"yes"/"on"
  Result<int> integer(QStringView key, int min, int max) const;
  Result<double> number(QStringView key, double min, double max) const;
  void set(const QString &key, const QString &value) { flags_[key] = value; }

  const QStringList &positional() const { return positional_; }
  bool wantsHelp() const { return help_; }
  bool wantsVersion() const { return version_; }
  bool wantsPrintConfig() const { return printConfig_; }

 private:
  QMap<QString, QString> flags_;
  QMap<QString, QString> file_;
  QStringList positional_;
  bool help_ = false, version_ = false, printConfig_ = false;
};

struct ListenAddress {
  QHostAddress address;
  quint16 port = 0;
};
// "HOST:PORT", "[::1]:PORT" or ":PORT" (all interfaces).
Result<ListenAddress> parseListen(QStringView text);

QString helpText(const QString &programName);
// A commented config file listing every option at its default.
QString exampleConfig();

}  // namespace rs::config
