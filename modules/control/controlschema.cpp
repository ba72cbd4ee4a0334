#include "control/controlschema.h"

namespace rs::control {

const std::vector<store::Migration> &controlMigrations() {
  static const std::vector<store::Migration> m = {
      {1, "CREATE TABLE instances ("
          " instance_id TEXT PRIMARY KEY,"
          " role TEXT NOT NULL,"
          " url TEXT NOT NULL DEFAULT '',"
          " version TEXT NOT NULL DEFAULT '',"
          " host TEXT NOT NULL DEFAULT '',"
          " load_json TEXT NOT NULL DEFAULT '{}',"
          " first_seen_ms INTEGER NOT NULL,"
          " last_seen_ms INTEGER NOT NULL,"
          " expiry_ms INTEGER NOT NULL,"
          " heartbeats INTEGER NOT NULL DEFAULT 0);"
          "CREATE INDEX instances_role ON instances(role, last_seen_ms);"},
      // Titles keep their nested parts (source, probe, renditions, assets) as JSON
      // text: control stores and returns them, only sha256 is searched.
      {2, "CREATE TABLE titles ("
          " id TEXT PRIMARY KEY,"
          " name TEXT NOT NULL,"
          " state TEXT NOT NULL,"
          " reason TEXT NOT NULL DEFAULT '',"
          " source_json TEXT NOT NULL DEFAULT '{}',"
          " sha256 TEXT NOT NULL DEFAULT '',"
          " probe_json TEXT NOT NULL DEFAULT '{}',"
          " duplicate_of TEXT NOT NULL DEFAULT '',"
          " renditions_json TEXT NOT NULL DEFAULT '[]',"
          " assets_json TEXT NOT NULL DEFAULT '{}',"
          " duration_seconds REAL NOT NULL DEFAULT 0,"
          " segment_seconds REAL NOT NULL DEFAULT 0,"
          " created_ms INTEGER NOT NULL,"
          " updated_ms INTEGER NOT NULL);"
          "CREATE INDEX titles_sha256 ON titles(sha256);"
          "CREATE INDEX titles_created ON titles(created_ms);"
          "CREATE TABLE jobs ("
          " id TEXT PRIMARY KEY,"
          " title_id TEXT NOT NULL REFERENCES titles(id) ON DELETE CASCADE,"
          " state TEXT NOT NULL,"  // queued, running, done, failed
          " spec_json TEXT NOT NULL DEFAULT '{}',"
          " attempts INTEGER NOT NULL DEFAULT 0,"
          " worker TEXT NOT NULL DEFAULT '',"
          " lease_ms INTEGER NOT NULL DEFAULT 0,"
          " lease_expires_ms INTEGER NOT NULL DEFAULT 0,"
          " stage TEXT NOT NULL DEFAULT '',"
          " percent REAL NOT NULL DEFAULT 0,"
          " fps REAL NOT NULL DEFAULT 0,"
          " eta_seconds REAL NOT NULL DEFAULT 0,"
          " last_error TEXT NOT NULL DEFAULT '',"
          " created_ms INTEGER NOT NULL,"
          " updated_ms INTEGER NOT NULL);"
          "CREATE INDEX jobs_claim ON jobs(state, created_ms);"
          "CREATE INDEX jobs_title ON jobs(title_id);"},
      // Delivery: how often each instance beats (an edge is live within two of its
      // intervals; 0 = it did not say), views per (title, region) for fill planning,
      // and pinned titles. Views have no foreign key: playback is steered (and counted)
      // for any title id, the planner only ever picks ready titles.
      {3, "ALTER TABLE instances ADD COLUMN interval_ms INTEGER NOT NULL DEFAULT 0;"
          "CREATE TABLE views ("
          " title_id TEXT NOT NULL,"
          " region TEXT NOT NULL,"
          " count INTEGER NOT NULL DEFAULT 0,"
          " last_ms INTEGER NOT NULL,"
          " PRIMARY KEY (title_id, region));"
          "CREATE INDEX views_region ON views(region, count);"
          "CREATE TABLE pins ("
          " title_id TEXT PRIMARY KEY REFERENCES titles(id) ON DELETE CASCADE,"
          " regions_json TEXT NOT NULL DEFAULT '[]',"
          " created_ms INTEGER NOT NULL);"},
      // Titles an admin made public play without a playback token (edges and origins
      // fetch the list from /control/v1/public-titles).
      {4, "ALTER TABLE titles ADD COLUMN public INTEGER NOT NULL DEFAULT 0;"
          "CREATE INDEX titles_public ON titles(public) WHERE public = 1;"},
  };
  return m;
}

}  // namespace rs::control
