#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Generate signer certificates. "oracle" reproduces kernel-oracle's gen_key exactly.
set -e
cd "$(dirname "$0")"; mkdir -p keys; cd keys
ext=(-addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" -addext "basicConstraints=critical,CA:FALSE")
gen() { # NAME KEYSPEC CN SERIAL [noext]
  local n=$1 k=$2 cn=$3 s=$4
  [ -f $n.der ] && return 0
  local e=("${ext[@]}"); [ "${5:-}" = noext ] && e=()
  openssl req -x509 -newkey $k -sha256 -nodes -days 36500 -subj "/CN=$cn" -set_serial "$s" "${e[@]}" \
      -keyout $n.key -out $n.pem 2>/dev/null
  openssl x509 -in $n.pem -outform der -out $n.der
}
gen oracle   rsa:2048 "IPE oracle policy signer" 0x4950452d6b65726e656c2d6f7261636c652d3031
gen untrust  rsa:2048 "IPE oracle UNTRUSTED signer" 0x4950452d6b65726e656c2d6f7261636c652d3032
gen shortcn  rsa:2048 "x" 1
gen longcn   rsa:2048 "$(printf 'L%.0s' $(seq 1 64))" 0x00ff   # 64 = ub-common-name
gen rsa3072  rsa:3072 "IPE rsa3072" 0x4950452d6b65726e656c2d6f7261636c652d3031
gen rsa4096  rsa:4096 "IPE rsa4096" 0x7f
gen noext    rsa:2048 "IPE oracle policy signer" 0x4950452d6b65726e656c2d6f7261636c652d3031 noext
gen ec256    "ec -pkeyopt ec_paramgen_curve:P-256" "IPE ec p256" 0x4950452d6b65726e656c2d6f7261636c652d3031
gen ec384    "ec -pkeyopt ec_paramgen_curve:P-384" "IPE ec p384" 0x80
gen ec256x   "ec -pkeyopt ec_paramgen_curve:P-256" "x" 1
gen ec256multi "ec -pkeyopt ec_paramgen_curve:P-256" "IPE policy signer with a rather long common name for testing/C=US/ST=Some State Name/L=Some City/O=Some Organisation Name Ltd/OU=Integrity Policy Enforcement" 0x00c0ffee
gen rsa2048multi rsa:2048 "IPE policy signer/C=US/ST=Some State Name/L=Some City/O=Some Organisation Name Ltd/OU=Integrity Policy Enforcement/OU=Another unit to push the issuer name length over/OU=256 bytes so that the sid crosses a length boundary/OU=and yet one more organisational unit" 0x01
