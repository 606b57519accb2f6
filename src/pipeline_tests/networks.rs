//! Issue 18: the claims on random-feature networks can fail. A student that beats its teacher passes `holds`,
//! and the reverse statement on the same simulations fails, so the rule is not a formality. (A series compared
//! with itself is refused by the resolver.)

use super::power::verdicts_of;
use crate::claims::Status;

/// A 12-unit teacher trained on 200 digits labels 400 rows for a 400-unit ridge student; 60 trials of one point.
const SPEC: &str = r#"
title "networks"
seed 18
task digits = digits(test: 400)
surrogate truth = ground_truth
surrogate weak = network(width: 12, m: 200)
surrogate weak_alone = teacher(of: weak)
experiment e {
  task digits
  n 400
  surrogates truth, weak, weak_alone
  trials 60
  measure accuracy
  ridge 0.3
  width 400
}
claim beats "the student beats its teacher" { holds e.weak_alone < e.weak }
claim reversed "the teacher beats its student" { holds e.weak < e.weak_alone }
claim strong "strong labels beat the student" { holds e.weak < e.truth }
"#;

#[test]
fn the_student_beats_its_teacher_and_the_reverse_claim_fails() {
    let v = verdicts_of(SPEC, None);
    let status = |name: &str| v.iter().find(|(n, _)| n == name).unwrap().1;
    assert_eq!(status("beats"), Status::Pass, "{v:?}");
    assert_eq!(status("strong"), Status::Pass, "{v:?}");
    assert_eq!(status("reversed"), Status::Fail, "{v:?}");
}
