#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Part 3 of ipec's kernel suite: the policy lifecycle scenarios (ipe-language.md section 5 and
kernel-oracle's FINDINGS "Lifecycle").

`scenarios()` returns a list of (key, title, rule, ops). Each op is one line of an
`ipec lifecycle` script:
    ("new_policy", TEXT)          write TEXT (signed) to new_policy
    ("update", NAME, TEXT)        write TEXT (signed) to policies/NAME/update
    ("activate", NAME)            write 1 to policies/NAME/active
    ("deactivate-write", NAME)    write 0 to policies/NAME/active
    ("delete", NAME)              write 1 to policies/NAME/delete
    ("delete-write0", NAME)       write 0 to policies/NAME/delete
TEXT is bytes or str (latin-1: "\\xa0" is the byte 0xA0).

All scenarios run one after the other in one boot. So that each one starts from what ipec models
(nothing loaded, nothing active), every scenario uses its own policy names (prefix L<k>_) and
versions whose major number M = 10*(k+1) is above every version of the scenarios before it:
a policy left active by an earlier scenario never blocks an activation, and the guest deletes
every inactive policy between scenarios.
"""

D = "DEFAULT action=ALLOW\n"


def scenarios():
    out = []

    def sc(title, rule):
        k = len(out)
        p = "L%02d_" % k
        M = 10 * (k + 1)
        ops = []
        out.append(("L%02d" % k, title, rule, ops))
        return p, M, ops

    def pol(name, ver, body=D):
        return "policy_name=%s policy_version=%s\n%s" % (name, ver, body)

    # ---- 5.2 new_policy
    p, M, o = sc("a new policy loads and is not active", "5.2.7")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)), ("delete", p + "A")]

    p, M, o = sc("new_policy with a loaded name gives EEXIST, whatever the version", "5.2.6 EEXIST")
    o += [("new_policy", pol(p + "A", "%d.0.1" % M)), ("new_policy", pol(p + "A", "%d.0.2" % M)),
          ("new_policy", pol(p + "A", "%d.0.1" % M)), ("new_policy", pol(p + "A", "%d.0.0" % M)),
          ("new_policy", pol(p + "A", "%d.0.0" % (M + 5)))]

    p, M, o = sc("EEXIST for the name of the active policy", "5.2.6 EEXIST")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)), ("activate", p + "A"),
          ("new_policy", pol(p + "A", "%d.0.0" % (M + 1))), ("delete", p + "A")]

    p, M, o = sc("a parse error wins over EEXIST", "5.2.5 parse before name")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)),
          ("new_policy", pol(p + "A", "%d.0.1" % M, "DEFAULT action=MAYBE\n")),
          ("new_policy", pol(p + "A", "%d.x.1" % M)),
          ("new_policy", pol(p + "A", "%d.0.1" % M, "op=EXECUTE action=ALLOW\n")),
          ("new_policy", pol(p + "A", "%d.0.1" % M, "op=EXECUTE fsverity_digest=sha256:abc action=ALLOW\n" + D))]

    p, M, o = sc("securityfs refuses the names '.', '..', 'a/b' and names over 255 bytes", "5.2.6 names")
    o += [("new_policy", pol(".", "%d.0.0" % M)), ("new_policy", pol("..", "%d.0.0" % M)),
          ("new_policy", pol(p + "a/b", "%d.0.0" % M)), ("new_policy", pol(p + "x" * (256 - len(p)), "%d.0.0" % M)),
          ("new_policy", pol(p + "x" * (255 - len(p)), "%d.0.0" % M)), ("delete", p + "x" * (255 - len(p)))]

    p, M, o = sc("names are compared byte for byte", "5.2.6 names")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)), ("new_policy", pol(p + "a", "%d.0.0" % M)),
          ("new_policy", pol(p + "A\v", "%d.0.0" % M)), ("new_policy", pol(p + "A\xa0", "%d.0.0" % M)),
          ("new_policy", pol(p + "A", "%d.0.1" % M)), ("new_policy", "  policy_name=%sA\tpolicy_version=%d.0.2 # again\n%s" % (p, M, D)),
          ("new_policy", pol(p + "A=1", "%d.0.0" % M)), ("new_policy", pol(p + "A=1", "%d.0.0" % M))]

    p, M, o = sc("a failed new_policy changes nothing", "1.6 nothing partially applied")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M, "op=EXECUTE action=ALLOW\n")),
          ("activate", p + "A"), ("delete", p + "A"), ("new_policy", pol(p + "A", "%d.0.0" % M)), ("activate", p + "A")]

    # ---- 5.4 update
    p, M, o = sc("update to a higher version succeeds", "5.4 higher version")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)), ("update", p + "A", pol(p + "A", "%d.0.1" % M)),
          ("update", p + "A", pol(p + "A", "%d.1.0" % M)), ("update", p + "A", pol(p + "A", "%d.0.0" % (M + 1))),
          ("update", p + "A", pol(p + "A", "%d.65535.65535" % (M + 1))), ("update", p + "A", pol(p + "A", "%d.0.0" % (M + 2)))]

    p, M, o = sc("update to an equal or lower version gives ESTALE", "5.4 ESTALE")
    o += [("new_policy", pol(p + "A", "%d.1.0" % M)), ("update", p + "A", pol(p + "A", "%d.1.0" % M)),
          ("update", p + "A", pol(p + "A", "%d.0.9" % M)), ("update", p + "A", pol(p + "A", "%d.0.65535" % M)),
          ("update", p + "A", pol(p + "A", "%d.9.9" % (M - 1))), ("update", p + "A", pol(p + "A", "%d.1.1" % M)),
          ("update", p + "A", pol(p + "A", "%d.1.1" % M))]

    p, M, o = sc("update with another name gives EINVAL, before the version check", "5.4 EINVAL name")
    o += [("new_policy", pol(p + "A", "%d.1.0" % M)), ("new_policy", pol(p + "B", "%d.0.0" % M)),
          ("update", p + "A", pol(p + "B", "%d.2.0" % M)), ("update", p + "A", pol(p + "B", "%d.0.0" % M)),
          ("update", p + "A", pol(p + "C", "%d.2.0" % M)), ("update", p + "A", pol(p + "a", "%d.2.0" % M)),
          ("update", p + "B", pol(p + "A", "%d.5.0" % M)), ("update", p + "A", pol(p + "A", "%d.2.0" % M))]

    p, M, o = sc("update checks the name, not the securityfs rules", "5.4 EINVAL name")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)), ("update", p + "A", pol(".", "%d.1.0" % M)),
          ("update", p + "A", pol("a/b", "%d.1.0" % M)), ("update", p + "A", pol("y" * 300, "%d.1.0" % M))]

    p, M, o = sc("update with a policy that fails to parse gives the parser's errno", "5.4 parse")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)),
          ("update", p + "A", pol(p + "A", "%d.0.1" % M, "DEFAULT action=allow\n")),
          ("update", p + "A", pol(p + "A", "%d.0.x" % M)), ("update", p + "A", pol(p + "A", "%d.0.70000" % M)),
          ("update", p + "A", pol(p + "A", "%d.0.1" % M, "op=EXECUTE action=ALLOW\n")),
          ("update", p + "A", pol(p + "A", "%d.0.1" % M, D + "op=EXECUTE dmverity_roothash=sha256:zz action=ALLOW\n")),
          ("update", p + "A", pol(p + "A", "%d.0" % M)), ("update", p + "A", b""),
          ("update", p + "A", pol(p + "B", "%d.0.x" % M)),
          ("update", p + "A", pol(p + "A", "%d.0.1" % M))]

    p, M, o = sc("a failed update leaves the policy as it was", "5.4 atomic")
    o += [("new_policy", pol(p + "A", "%d.0.5" % M)), ("activate", p + "A"),
          ("update", p + "A", pol(p + "A", "%d.0.6" % M, "DEFAULT action=NOPE\n")),
          ("update", p + "A", pol(p + "B", "%d.0.6" % M)), ("update", p + "A", pol(p + "A", "%d.0.4" % M)),
          ("delete", p + "A"), ("update", p + "A", pol(p + "A", "%d.0.6" % M)), ("update", p + "A", pol(p + "A", "%d.0.6" % M))]

    p, M, o = sc("update of the active policy keeps it active and compares with no other policy", "5.4 active")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)), ("new_policy", pol(p + "B", "%d.5.0" % M)),
          ("activate", p + "A"), ("update", p + "A", pol(p + "A", "%d.3.0" % M)), ("delete", p + "A"),
          ("update", p + "A", pol(p + "A", "%d.9.0" % M)), ("activate", p + "B"), ("activate", p + "A"),
          ("delete", p + "B"), ("delete", p + "A")]

    p, M, o = sc("an inactive policy may be updated below the active version; activating it then fails", "5.3/5.4")
    o += [("new_policy", pol(p + "A", "%d.5.0" % M)), ("new_policy", pol(p + "B", "%d.1.0" % M)),
          ("activate", p + "A"), ("update", p + "B", pol(p + "B", "%d.2.0" % M)), ("activate", p + "B"),
          ("update", p + "B", pol(p + "B", "%d.5.0" % M)), ("activate", p + "B"), ("activate", p + "A")]

    p, M, o = sc("the activation check uses the version after an update", "5.3/5.4")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)), ("new_policy", pol(p + "B", "%d.2.0" % M)),
          ("activate", p + "A"), ("update", p + "A", pol(p + "A", "%d.3.0" % M)), ("activate", p + "B"),
          ("update", p + "B", pol(p + "B", "%d.3.0" % M)), ("activate", p + "B")]

    p, M, o = sc("versions are normalised: +007 and 07 are 7", "5.1 version")
    o += [("new_policy", pol(p + "A", "+%03d.+0.+1" % M)), ("update", p + "A", pol(p + "A", "%d.0.1" % M)),
          ("update", p + "A", pol(p + "A", "0%d.00.01" % M)), ("update", p + "A", pol(p + "A", "%d.0.02" % M)),
          ("new_policy", pol(p + "B", "%d.0.2" % M)), ("activate", p + "A"), ("activate", p + "B")]

    p, M, o = sc("update of a name that was never loaded, or was deleted, gives ENOENT", "5.4 ENOENT")
    o += [("update", p + "A", pol(p + "A", "%d.0.0" % M)), ("new_policy", pol(p + "B", "%d.0.0" % M)),
          ("delete", p + "B"), ("update", p + "B", pol(p + "B", "%d.0.1" % M)),
          ("activate", p + "B"), ("deactivate-write", p + "B"), ("delete", p + "B"), ("delete-write0", p + "B")]

    p, M, o = sc("update with the text signed after CRLF / comment / tab changes", "5.4 + 1.2")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)),
          ("update", p + "A", ("policy_name=%sA policy_version=%d.0.1\r\n%s" % (p, M, D.replace("\n", "\r\n")))),
          ("update", p + "A", ("policy_name=%sA\tpolicy_version=%d.0.2 # c\n%s" % (p, M, D))),
          ("update", p + "A", ("# x\n\tpolicy_name=%sA policy_version=%d.0.3\v\n%s" % (p, M, D))),
          ("update", p + "A", ("policy_name=%sA#x policy_version=%d.0.4\n%s" % (p, M, D)))]

    p, M, o = sc("update with a blob over 65535 bytes gives EMSGSIZE", "signing size")
    big = pol(p + "A", "%d.0.1" % M) + "#" * 70000 + "\n"
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)), ("update", p + "A", big),
          ("new_policy", pol(p + "B", "%d.0.0" % M) + "#" * 70000 + "\n")]

    # ---- 5.3 activation
    p, M, o = sc("writing 0 to active gives EINVAL; activating twice is a no-op", "5.3")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)), ("deactivate-write", p + "A"), ("activate", p + "A"),
          ("activate", p + "A"), ("deactivate-write", p + "A"), ("delete", p + "A")]

    p, M, o = sc("activation needs a version not lower than the active one's", "5.3 EINVAL lower")
    o += [("new_policy", pol(p + "A", "%d.1.0" % M)), ("new_policy", pol(p + "B", "%d.0.5" % M)),
          ("new_policy", pol(p + "C", "%d.1.0" % M)), ("new_policy", pol(p + "D", "%d.2.0" % M)),
          ("activate", p + "A"), ("activate", p + "B"), ("activate", p + "C"), ("activate", p + "A"),
          ("activate", p + "D"), ("activate", p + "A"), ("activate", p + "C"), ("activate", p + "D")]

    p, M, o = sc("versions compare as (major, minor, revision)", "1.4 ver_to_u64")
    o += [("new_policy", pol(p + "A", "%d.2.0" % M)), ("new_policy", pol(p + "B", "%d.1.65535" % M)),
          ("new_policy", pol(p + "C", "%d.0.0" % (M + 1))), ("new_policy", pol(p + "D", "%d.65535.65535" % M)),
          ("activate", p + "A"), ("activate", p + "B"), ("activate", p + "D"), ("activate", p + "C"),
          ("activate", p + "D")]

    p, M, o = sc("activate and write-0 of unknown names give ENOENT", "5.3 ENOENT")
    o += [("activate", p + "NOPE"), ("deactivate-write", p + "NOPE"), ("delete", p + "NOPE"), ("delete-write0", p + "NOPE")]

    # ---- 5.5 delete
    p, M, o = sc("deleting the active policy gives EPERM; writing 0 gives EINVAL", "5.5")
    o += [("new_policy", pol(p + "A", "%d.0.0" % M)), ("new_policy", pol(p + "B", "%d.0.0" % M)),
          ("activate", p + "A"), ("delete", p + "A"), ("delete-write0", p + "A"), ("delete-write0", p + "B"),
          ("delete", p + "B"), ("delete", p + "B"), ("activate", p + "B"), ("new_policy", pol(p + "A", "%d.0.9" % M)),
          ("update", p + "A", pol(p + "A", "%d.0.1" % M)), ("activate", p + "A")]

    p, M, o = sc("a deleted name can be loaded again, with any version", "5.5")
    o += [("new_policy", pol(p + "A", "%d.0.5" % M)), ("delete", p + "A"), ("new_policy", pol(p + "A", "%d.0.1" % M)),
          ("update", p + "A", pol(p + "A", "%d.0.1" % M)), ("delete", p + "A"), ("new_policy", pol(p + "A", "%d.0.9" % M)),
          ("activate", p + "A"), ("new_policy", pol(p + "B", "%d.0.9" % M)), ("activate", p + "B"),
          ("delete", p + "A"), ("new_policy", pol(p + "A", "%d.0.0" % M)), ("activate", p + "A")]

    p, M, o = sc("many policies: only the active one is protected", "5.5")
    names = [p + c for c in "ABCDEF"]
    o += [("new_policy", pol(n, "%d.%d.0" % (M, i))) for i, n in enumerate(names)]
    o += [("activate", names[3]), ("delete", names[0]), ("delete", names[5]), ("delete", names[3]),
          ("activate", names[1]), ("activate", names[4]), ("delete", names[3]), ("delete", names[1]),
          ("delete", names[2]), ("delete", names[4])]
    # ---- which error wins, and the size limit through update
    p, M, o = sc("ENOENT before the parser; the parser and EMSGSIZE before EEXIST", "5.2/5.4 order")
    o += [("update", p + "NOPE", pol(p + "NOPE", "%d.x.0" % M)), ("update", p + "NOPE", b""),
          ("new_policy", pol(p + "A", "%d.0.0" % M)),
          ("new_policy", pol(p + "A", "%d.0.1" % M) + "#" * 70000 + "\n"),
          ("new_policy", pol(p + "A", "%d.0.1" % M, "")), ("new_policy", pol(p + "A", "70000.0.1"))]

    p, M, o = sc("update at the signed-size limit and with a 255-byte name", "signing size + 5.2")
    head = lambda v: pol(p + "A", v)
    fit = 64256  # the largest text whose signed DER (RSA-2048, the 847-byte certificate embedded) is 65535 bytes
    n255 = p + "n" * (255 - len(p))
    o += [("new_policy", head("%d.0.0" % M)),
          ("update", p + "A", head("%d.0.1" % M) + "#" * (fit - len(head("%d.0.1" % M)) - 1) + "\n"),
          ("update", p + "A", head("%d.0.2" % M) + "#" * (fit + 1 - len(head("%d.0.2" % M)) - 1) + "\n"),
          ("update", p + "A", head("%d.0.2" % M)), ("new_policy", pol(n255, "%d.0.0" % M)),
          ("update", n255, pol(n255, "%d.0.1" % M)), ("activate", n255), ("update", n255, pol(n255, "%d.0.2" % M)),
          ("delete", n255)]
    return out


if __name__ == "__main__":
    n = 0
    for key, title, rule, ops in scenarios():
        n += len(ops)
        print(key, len(ops), title)
    print("total operations:", n)
