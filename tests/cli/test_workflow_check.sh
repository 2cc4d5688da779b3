#!/bin/sh
# kanal workflow check: exit codes, the error format, JSON, help and usage.
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"

ok kanal workflow check "$SRC/workflows/distributors.yaml" "$SRC/workflows/wholesale.yaml" \
    "$SRC/workflows/referral_partners.yaml"
expect_out_has "distributors.yaml: ok (distributors: 3 stages, 9 goals)"
expect_out_has "wholesale.yaml: ok (wholesale: 3 stages, 7 goals)"
expect_err ""

# Every error of every file, one a line, FILE:LINE:COLUMN: error: MESSAGE.
cat >bad.yaml <<'YAML'
workflow: Bad
name: Bad one
partner_types: [distributor]
activity_types:
  - id: call
    name: Call
lost_reasons:
  - id: other
    name: Other
stages:
  - id: s1
    name: S1
    goals:
      - id: g1
        name: G1
        completed_bz: call
      - id: g2
        name: G2
        after: [g3]
YAML
printf 'workflow: x\n\tname: y\n' >tab.yaml
run kanal workflow check bad.yaml tab.yaml "$SRC/workflows/wholesale.yaml"
expect_rc 4
expect_err "bad.yaml:1:11: error: invalid workflow id 'Bad': use lowercase letters, digits and '_', starting with a letter
bad.yaml:16:9: error: unknown key 'completed_bz' in goal (did you mean 'completed_by'?)
bad.yaml:19:17: error: unknown goal 'g3' in 'after' (known: g1, g2)
tab.yaml:2:1: error: tab character in indentation (indent with spaces)"
expect_out_has "wholesale.yaml: ok"

run kanal workflow check missing.yaml
expect_rc 4
expect_err "missing.yaml: error: cannot read the file: No such file or directory"

# --json: on stdout, nothing on stderr.
run kanal workflow check --json bad.yaml "$SRC/workflows/wholesale.yaml"
expect_rc 4
expect_err ""
expect_out "{\"files\":[{\"file\":\"bad.yaml\",\"valid\":false,\"workflow\":null,\"errors\":[{\"line\":1,\"column\":11,\"message\":\"invalid workflow id 'Bad': use lowercase letters, digits and '_', starting with a letter\"},{\"line\":16,\"column\":9,\"message\":\"unknown key 'completed_bz' in goal (did you mean 'completed_by'?)\"},{\"line\":19,\"column\":17,\"message\":\"unknown goal 'g3' in 'after' (known: g1, g2)\"}]},{\"file\":\"$SRC/workflows/wholesale.yaml\",\"valid\":true,\"workflow\":\"wholesale\",\"errors\":[]}]}"

run kanal workflow check --json "$SRC/workflows/wholesale.yaml"
expect_rc 0

# --print shows the outline, goals in the order to do them.
ok kanal workflow check --print "$SRC/workflows/distributors.yaml"
expect_out_has "2. proposal — Proposal (stale after 30 days)
   * send_materials         Materials sent (articles, infographics) [by email]
   * proposal_call          Offer discussed on the phone [by call] [after send_materials]"

# Usage errors exit 2 and say what to do.
run kanal workflow check
expect_rc 2
expect_err "kanal: error: missing FILE...
usage: kanal workflow check FILE... (see 'kanal workflow check --help')"
run kanal workflow check --jsn x.yaml
expect_rc 2
expect_err_has "unknown option '--jsn' (did you mean '--json'?)"
run kanal workflow chek x.yaml
expect_rc 2
expect_err_has "unknown command 'workflow chek' (did you mean 'workflow check'?)"
run kanal frobnicate
expect_rc 2
expect_err_has "unknown command 'frobnicate'"
run kanal
expect_rc 2
expect_err_has "usage: kanal"
run kanal workflow
expect_rc 2
expect_err_has "workflow check"

# Help and version go to stdout and exit 0.
ok kanal --help
expect_out_has "workflow check"
ok kanal workflow --help
expect_out_has "usage: kanal workflow COMMAND"
expect_out_has "workflow check"
ok kanal workflow check --help
expect_out_has "usage: kanal workflow check FILE... [options]"
expect_out_has "--json"
ok kanal --version
expect_out "kanal 0.1.0"

finish
