#pragma once
// Uploads a packaged title directory to an origin (PUT each file into staging, then
// one commit that checks sizes and swaps the title in atomically).

#include "core/status.h"

#include <QString>
#include <QUrl>
#include <atomic>
#include <functional>

namespace rs::net { class HttpClient; }

namespace rs::encode {

// Calls `progress(fractionDone)` after each file. Runs on a worker thread.
Status publishTitle(net::HttpClient *client, const QUrl &origin, const QString &titleId, const QString &dir,
                    const std::function<void(double)> &progress, const std::atomic<bool> *cancel);

}  // namespace rs::encode
