#pragma once
// One elementary stream into a fragmented MP4 whose fragments we cut ourselves
// (frag_custom): the caller says which packet starts a new fragment, so one fragment
// is one segment and package::splitFragmentedMp4 needs no knowledge of the codec.

#include "core/status.h"
#include "media/ffmpeg.h"

#include <QString>

namespace rs::media {

class FragmentedMp4Writer {
 public:
  // Takes codec parameters and the time base of the packets from `encoder`.
  Status open(const QString &path, const AVCodecContext *encoder);
  // `pkt` is in the encoder's time base; startsFragment closes the fragment so far
  // first. Leaves `pkt` unreferenced.
  Status write(AVPacket *pkt, bool startsFragment);
  Status finish();
  int fragments() const { return fragments_; }
  const QString &path() const { return path_; }

 private:
  av::OutputFormat ctx_;
  AVStream *stream_ = nullptr;
  AVRational packetTimeBase_{1, 1};
  QString path_;
  bool wrotePacket_ = false;
  bool finished_ = false;
  int fragments_ = 0;
};

}  // namespace rs::media
