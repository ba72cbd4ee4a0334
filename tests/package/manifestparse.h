#pragma once
// Reading manifests back in tests: the MPD as a small element tree (QXmlStreamReader,
// so malformed XML fails), HLS tags and their attribute lists.

#include <QMap>
#include <QString>
#include <QStringList>
#include <QXmlStreamReader>
#include <vector>

namespace rs::package::testing {

struct XmlElement {
  QString name;
  QString namespaceUri;
  QString text;                    // character data directly inside the element
  QMap<QString, QString> attrs;    // by local name; namespaced ones also as "{uri}name"
  std::vector<XmlElement> children;

  std::vector<const XmlElement *> all(const QString &childName) const {
    std::vector<const XmlElement *> out;
    for (const XmlElement &c : children)
      if (c.name == childName) out.push_back(&c);
    return out;
  }
  const XmlElement *first(const QString &childName) const {
    for (const XmlElement &c : children)
      if (c.name == childName) return &c;
    return nullptr;
  }
};

// The document element, or an empty name and `error` set when the XML is not well formed.
inline XmlElement parseXml(const QByteArray &xml, QString *error) {
  QXmlStreamReader r(xml);
  std::vector<XmlElement> stack;
  XmlElement root;
  while (!r.atEnd()) {
    const auto token = r.readNext();
    if (token == QXmlStreamReader::StartElement) {
      XmlElement e;
      e.name = r.name().toString();
      e.namespaceUri = r.namespaceUri().toString();
      for (const QXmlStreamAttribute &a : r.attributes()) {
        e.attrs.insert(a.name().toString(), a.value().toString());
        if (!a.namespaceUri().isEmpty())
          e.attrs.insert(u'{' + a.namespaceUri().toString() + u'}' + a.name().toString(), a.value().toString());
      }
      stack.push_back(e);
    } else if (token == QXmlStreamReader::Characters && !stack.empty()) {
      stack.back().text += r.text().toString().trimmed();
    } else if (token == QXmlStreamReader::EndElement) {
      XmlElement done = stack.back();
      stack.pop_back();
      if (stack.empty())
        root = done;
      else
        stack.back().children.push_back(done);
    }
  }
  if (r.hasError()) {
    *error = r.errorString() + QStringLiteral(" at line ") + QString::number(r.lineNumber());
    return {};
  }
  return root;
}

// SegmentTimeline → the segment durations it describes (S@r expanded).
inline std::vector<std::uint64_t> expandTimeline(const XmlElement &timeline, std::uint64_t *start) {
  std::vector<std::uint64_t> out;
  bool first = true;
  for (const XmlElement *s : timeline.all(QStringLiteral("S"))) {
    if (first && start) *start = s->attrs.value(QStringLiteral("t")).toULongLong();
    first = false;
    const std::uint64_t d = s->attrs.value(QStringLiteral("d")).toULongLong();
    const int repeat = s->attrs.value(QStringLiteral("r"), QStringLiteral("0")).toInt();
    for (int i = 0; i <= repeat; ++i) out.push_back(d);
  }
  return out;
}

// An HLS attribute list (RFC 8216 §4.2): commas inside quoted strings do not split;
// quotes are removed from the values.
inline QMap<QString, QString> hlsAttributes(const QString &list) {
  QMap<QString, QString> out;
  qsizetype i = 0;
  while (i < list.size()) {
    const qsizetype eq = list.indexOf(u'=', i);
    if (eq < 0) break;
    const QString key = list.mid(i, eq - i);
    qsizetype end;
    QString value;
    if (eq + 1 < list.size() && list[eq + 1] == u'"') {
      end = list.indexOf(u'"', eq + 2);
      value = list.mid(eq + 2, end - eq - 2);
      end += 1;
    } else {
      end = list.indexOf(u',', eq + 1);
      if (end < 0) end = list.size();
      value = list.mid(eq + 1, end - eq - 1);
    }
    out.insert(key, value);
    i = end + 1;
  }
  return out;
}

// Lines starting with `tag` (e.g. "#EXT-X-STREAM-INF:"), without the tag, each with
// the line that follows it (its URI).
struct TaggedLine {
  QString value, next;
  qsizetype line = 0;  // 0-based line number of the tag
};
inline std::vector<TaggedLine> tagged(const QByteArray &playlist, const QString &tag) {
  const QStringList lines = QString::fromUtf8(playlist).split(u'\n');
  std::vector<TaggedLine> out;
  for (qsizetype i = 0; i < lines.size(); ++i)
    if (lines[i].startsWith(tag)) out.push_back({lines[i].mid(tag.size()), i + 1 < lines.size() ? lines[i + 1] : QString(), i});
  return out;
}

}  // namespace rs::package::testing
