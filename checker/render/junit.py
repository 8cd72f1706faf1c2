"""JUnit XML: one testsuite per concern, one testcase per finding."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from checker.report import Report, Status, lesson_url

# What XML 1.0 cannot hold at all, not even escaped: a NUL byte from a binary Dockerfile would make the whole
# document unreadable. Each such character is shown as \xNN (or \uNNNN) instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 256 else
                        f"\\u{ord(m.group(0)):04x}", text)


def render_junit(report: Report) -> str:
    suites = ET.Element("testsuites", name="stagewise", tests=str(len(report.findings)))
    by_concern: dict[str, list[int]] = {}
    for i, f in enumerate(report.findings):
        by_concern.setdefault(f.concern.value, []).append(i)
    total_fail = total_err = total_skip = 0
    for concern, idxs in by_concern.items():
        findings = [report.findings[i] for i in idxs]
        fails = sum(f.status == Status.FAIL for f in findings)
        errs = sum(f.status == Status.ERROR for f in findings)
        skips = sum(f.status == Status.SKIP for f in findings)
        total_fail, total_err, total_skip = total_fail + fails, total_err + errs, total_skip + skips
        suite = ET.SubElement(suites, "testsuite", name=concern, tests=str(len(findings)), failures=str(fails),
                              errors=str(errs), skipped=str(skips))
        for f in findings:
            where = f"{report.dockerfile}:{f.line}" if f.line else report.dockerfile
            case = ET.SubElement(suite, "testcase", classname=xml_safe(f"stagewise.{concern}"),
                                 name=xml_safe(f"{f.rule} {where}"), file=xml_safe(report.dockerfile))
            if f.line:
                case.set("line", str(f.line))
            body = xml_safe("\n".join(x for x in (f.message, f"hint: {f.hint}" if f.hint else "",
                                                  f"lesson: {lesson_url(f.lesson)}" if f.lesson else "",
                                                  *f.evidence) if x))
            message = xml_safe(f.message)
            if f.status == Status.FAIL:
                ET.SubElement(case, "failure", message=message, type=f.rule).text = body
            elif f.status == Status.ERROR:
                ET.SubElement(case, "error", message=message, type=f.rule).text = body
            elif f.status == Status.SKIP:
                ET.SubElement(case, "skipped", message=message)
            else:
                ET.SubElement(case, "system-out").text = body
    suites.set("failures", str(total_fail))
    suites.set("errors", str(total_err))
    suites.set("skipped", str(total_skip))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
