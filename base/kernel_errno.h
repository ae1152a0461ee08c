// SPDX-License-Identifier: Apache-2.0
// The error numbers the kernel answers a policy load with, as ipec predicts them.
#pragma once

#include <cstdint>
#include <string_view>

namespace ipec {

enum class Errno : uint8_t {
  None,          // accepted
  BadMsg,        // EBADMSG: parser: any syntax or structure error; validate_policy
  Inval,         // EINVAL: parser: version component or digest hex not a number
  Range,         // ERANGE: parser: version component overflow
  Acces,         // EACCES: securityfs: policy name `.`, `..` or containing `/`
  NameTooLong,   // ENAMETOOLONG: securityfs: policy name longer than 255 bytes
  MsgSize,       // EMSGSIZE: ASN.1 decoder: signed PKCS#7 blob longer than 65535 bytes
};

constexpr std::string_view errnoName(Errno e) {
  switch (e) {
    case Errno::None: return "";
    case Errno::BadMsg: return "EBADMSG";
    case Errno::Inval: return "EINVAL";
    case Errno::Range: return "ERANGE";
    case Errno::Acces: return "EACCES";
    case Errno::NameTooLong: return "ENAMETOOLONG";
    case Errno::MsgSize: return "EMSGSIZE";
  }
  return "";
}

// The Linux x86-64 value of the errno.
constexpr int errnoValue(Errno e) {
  switch (e) {
    case Errno::None: return 0;
    case Errno::BadMsg: return 74;
    case Errno::Inval: return 22;
    case Errno::Range: return 34;
    case Errno::Acces: return 13;
    case Errno::NameTooLong: return 36;
    case Errno::MsgSize: return 90;
  }
  return 0;
}

}  // namespace ipec
