//! Issue 16: builds split into shards (`build --shard K/N`) and merged (`merge`) into the results file and PDF of a
//! single build, byte for byte; shards that are not one run refused; the recipes of docs/cluster.md run as written.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{SMALL, Scratch, kdrepro, specs};

/// The exit code of a finished command, and its stderr for the message.
fn outcome(output: &Output) -> (Option<i32>, String) {
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// Builds `spec` (relative to `dir`) whole into `dir/single`, and for each N of `counts` in N shards (each `build
/// --shard K/N` on `jobs` threads) merged into `dir/merged-N`; asserts that every merge writes the single build's
/// results file and PDF, byte for byte, and exits as it does.
fn assert_merges_identically(dir: &Path, spec: &str, counts: &[usize], jobs: &str) {
    let stem = Path::new(spec).file_stem().unwrap().to_string_lossy().into_owned();
    let single = kdrepro(dir, &["build", spec, "-o", "single", "-q", "-j", jobs], &[]);
    let code = single.status.code();
    assert!(matches!(code, Some(0 | 1 | 4)), "{}", outcome(&single).1);
    let read = |out: &str, extension: &str| std::fs::read(dir.join(out).join(format!("{stem}.{extension}"))).unwrap();
    for &count in counts {
        let shards = format!("shards-{count}");
        for index in 0..count {
            let shard = format!("{index}/{count}");
            let built = kdrepro(dir, &["build", spec, "--shard", &shard, "-o", &shards, "-q", "-j", jobs], &[]);
            assert_eq!(built.status.code(), Some(0), "shard {shard}: {}", outcome(&built).1);
        }
        let out = format!("merged-{count}");
        let merged = kdrepro(dir, &["merge", spec, &shards, "-o", &out, "-q"], &[]);
        assert_eq!(merged.status.code(), code, "{count} shards: {}", outcome(&merged).1);
        assert!(read(&out, "results.yaml") == read("single", "results.yaml"), "{count} shards: results files differ");
        assert!(read(&out, "pdf") == read("single", "pdf"), "{count} shards: PDFs differ");
    }
}

#[test]
fn fig1b_in_1_2_3_and_7_shards_merges_into_the_single_build_byte_for_byte() {
    // 17 points of 200 trials: 7 shards split points between trials.
    let dir = Scratch::new("shard-fig1b");
    std::fs::copy(specs().join("bench/fig1b.kd"), dir.path.join("fig1b.kd")).unwrap();
    assert_merges_identically(&dir.path, "fig1b.kd", &[1, 2, 3, 7], "1");
}

#[test]
#[ignore = "about 10 minutes on 2 cores: shards run every adaptive experiment to its cap; .ci/run runs it with \
            `cargo test --release --test integration -- --ignored shard::the_paper`"]
fn the_paper_in_1_2_3_and_7_shards_merges_into_the_single_build_byte_for_byte() {
    let dir = Scratch::new("shard-paper");
    std::fs::copy(specs().join("paper.kd"), dir.path.join("paper.kd")).unwrap();
    assert_merges_identically(&dir.path, "paper.kd", &[1, 2, 3, 7], "2");
}

/// SMALL with adaptive trials: the single build stops at an early look, the shards run to the cap.
fn adaptive() -> String {
    SMALL.replace("trials 300", "trials auto(max: 3200)")
}

#[test]
fn an_adaptive_experiment_merges_into_the_look_where_the_single_build_stopped() {
    let dir = Scratch::new("shard-adaptive");
    dir.file("small.kd", &adaptive());
    assert_merges_identically(&dir.path, "small.kd", &[3], "1");
    let results = std::fs::read_to_string(dir.path.join("single/small.results.yaml")).unwrap();
    assert!(results.contains("reason: decided"), "the single build stopped early:\n{results}");
}

/// SMALL built in `count` shards into `dir/shards` (a shard per index), with `extra` arguments; the shard files.
fn shards(dir: &Path, spec: &str, count: usize, out: &str, extra: &[&str]) -> Vec<PathBuf> {
    (0..count)
        .map(|index| {
            let shard = format!("{index}/{count}");
            let mut args = vec!["build", spec, "--shard", &shard, "-o", out, "-q", "-j", "1"];
            args.extend(extra);
            let built = kdrepro(dir, &args, &[]);
            assert_eq!(built.status.code(), Some(0), "{}", outcome(&built).1);
            let width = (count - 1).to_string().len();
            dir.join(out).join(format!("small.shard-{index:0width$}-of-{count}.json"))
        })
        .collect()
}

/// The shard file `text` with `edit` applied to its work (the JSON after `"work":`, the file's last field) and its
/// checksum recomputed, as someone editing it on purpose would.
fn forged(text: &str, edit: impl Fn(&str) -> String) -> String {
    let start = text.find("\"work\":").unwrap() + "\"work\":".len();
    let work = edit(&text[start..text.len() - 1]);
    assert_ne!(work, text[start..text.len() - 1], "the edit changed nothing");
    let old = text.split("\"checksum\":\"").nth(1).unwrap().split('"').next().unwrap();
    let new = blake3::hash(work.as_bytes()).to_hex().to_string();
    format!("{}{work}}}", text[..start].replace(old, &new))
}

/// Runs `merge small.kd` on `files` into `out`; asserts that it is refused (exit 2, no report written) with a message
/// containing every one of `needles`.
fn refused(dir: &Path, files: &[&Path], needles: &[&str]) {
    let mut args = vec!["merge".to_owned(), "small.kd".to_owned()];
    args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    args.extend(["-o".to_owned(), "refused".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stderr) = outcome(&kdrepro(dir, &args, &[]));
    assert_eq!(code, Some(2), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "expected {needle:?} in:\n{stderr}");
    }
    assert!(!dir.join("refused").exists(), "a refused merge wrote a report");
}

#[test]
fn shards_that_are_not_one_run_are_refused_naming_the_file_and_what_differs() {
    let dir = Scratch::new("shard-refused");
    let spec = dir.file("small.kd", SMALL);
    let good = shards(&dir.path, "small.kd", 3, "good", &[]);
    let [a, b, c] = [&good[0], &good[1], &good[2]].map(PathBuf::as_path);

    // Missing and duplicated shards.
    refused(&dir.path, &[a, c], &["missing shard 1 of 3"]);
    refused(&dir.path, &[b], &["missing shards 0, 2 of 3"]);
    let copy = dir.path.join("copy-of-0.json");
    std::fs::copy(a, &copy).unwrap();
    refused(&dir.path, &[a, b, c, &copy], &["shard 0 of 3 is given twice", "copy-of-0.json"]);

    // A shard of another seed, of another shard count, of another spec, and of another kdrepro.
    let seeded = shards(&dir.path, "small.kd", 3, "seeded", &["--seed", "99"]);
    refused(&dir.path, &[a, &seeded[1], c], &["seeded/small.shard-1-of-3.json: its seed (99) differs from", "(7)"]);
    let halves = shards(&dir.path, "small.kd", 2, "halves", &[]);
    refused(&dir.path, &[a, &halves[1], c], &["its shard count (shard 1 of 2) differs from", "(shard 0 of 3)"]);
    let drafted = shards(&dir.path, "small.kd", 3, "drafted", &["--trials", "40"]);
    refused(&dir.path, &[a, b, &drafted[2]], &["its command-line overrides (--trials 40) differ from", "(none)"]);
    std::fs::write(&spec, SMALL.replace("noise: 0.01", "noise: 0.02")).unwrap();
    let foreign = shards(&dir.path, "small.kd", 3, "foreign", &[]);
    std::fs::write(&spec, SMALL).unwrap();
    refused(&dir.path, &[a, &foreign[1], c], &["foreign/small.shard-1-of-3.json", "a shard of another spec"]);
    let other_version = dir.path.join("version.json");
    let text = std::fs::read_to_string(b).unwrap();
    let version = text.split("\"kdrepro\":\"").nth(1).unwrap().split('"').next().unwrap();
    std::fs::write(&other_version, text.replace(version, "0.0.1 (commit 0000000)")).unwrap();
    refused(&dir.path, &[a, &other_version, c], &["its kdrepro version (0.0.1 (commit 0000000)) differs from this"]);

    // Files that are not shard files, damaged ones, and shards whose work is not their part of the plan.
    let results = dir.file("not-a-shard.json", "{\"schema\": 3}");
    refused(&dir.path, &[a, &results, c], &["not-a-shard.json: not a shard file"]);
    let truncated = dir.file("truncated.json", &text[..text.len() / 2]);
    refused(&dir.path, &[a, &truncated, c], &["truncated.json: not a shard file"]);
    let future = dir.file("future.json", &text.replace("\"format_version\":1", "\"format_version\":9"));
    refused(&dir.path, &[a, &future, c], &["shard format 9, but this kdrepro reads format 1"]);
    // An edit without the checksum is damage; with the checksum recomputed (a forger's edit), what the work
    // claims is checked against the plan and against what real sums can be.
    let sum = text.split("\"sums\":[\"").nth(1).unwrap().split('"').next().unwrap();
    let edited = dir.file("edited.json", &text.replacen(sum, &sum.replacen("0x", "0x1", 1), 1));
    refused(&dir.path, &[a, &edited, c], &["edited.json: damaged shard file: its work does not match its checksum"]);
    let start = text.split("\"trials\":{\"start\":").nth(1).unwrap().split(',').next().unwrap();
    let moved_start = format!("\"start\":{},", start.parse::<u64>().unwrap() + 1);
    let moved = dir.file("moved.json", &forged(&text, |w| w.replacen(&format!("\"start\":{start},"), &moved_start, 1)));
    refused(&dir.path, &[a, &moved, c], &["moved.json: it does not hold the work of shard 1 of 3"]);
    let count = text.split("\"sums\":{\"count\":").nth(1).unwrap().split(',').next().unwrap();
    let recount = forged(&text, |w| w.replacen(&format!("\"count\":{count},"), "\"count\":1,", 1));
    let recount = dir.file("recount.json", &recount);
    refused(&dir.path, &[a, &recount, c], &["recount.json: damaged shard file: the sums of experiment `sweep`"]);
    // Σx² = 0 with Σx ≠ 0: a negative variance, which would have made the t distribution panic.
    let square = text.split("\"products\":[\"").nth(1).unwrap().split('"').next().unwrap();
    let negative = dir.file("negative.json", &forged(&text, |w| w.replacen(square, "0x0p0", 1)));
    refused(&dir.path, &[a, &negative, c], &["negative.json: damaged shard file: the sums", "cannot be those"]);
    let fallbacks =
        dir.file("fallbacks.json", &forged(&text, |w| w.replacen("\"fallbacks\":0", "\"fallbacks\":99999", 1)));
    refused(&dir.path, &[a, &fallbacks, c], &["fallbacks.json: damaged shard file"]);
    let beyond =
        dir.file("beyond.json", &forged(&text, |w| w.replacen("\"non_finite\":[null", "\"non_finite\":[5000", 1)));
    refused(&dir.path, &[a, &beyond, c], &["beyond.json: damaged shard file"]);
    let huge = text.replace("\"count\":3}", "\"count\":18446744073709551615}");
    refused(
        &dir.path,
        &[a, &dir.file("huge.json", &huge), c],
        &["huge.json: damaged shard file: shard 1 of 18446744073709551615"],
    );
    refused(&dir.path, &[], &["the following required arguments were not provided"]);

    // The shards of a spec whose data file changed after they ran.
    let values: Vec<String> = (1..=60).map(|i| format!("{}", f64::from(i).powf(-1.5))).collect();
    dir.file("eigenvalues.txt", &values.join("\n"));
    let reading =
        SMALL.replace("spectrum cov = powerlaw(p: 60, alpha: 1.5)", "spectrum cov = list(file(\"eigenvalues.txt\"))");
    std::fs::write(&spec, &reading).unwrap();
    let before = shards(&dir.path, "small.kd", 2, "data", &[]);
    let mut changed = values.clone();
    changed[59] = "0.001".to_owned();
    dir.file("eigenvalues.txt", &changed.join("\n"));
    let paths: Vec<&Path> = before.iter().map(PathBuf::as_path).collect();
    refused(&dir.path, &paths, &["it was planned from other experiments: the data file eigenvalues.txt changed"]);

    std::fs::write(&spec, SMALL).unwrap();

    // A directory gives its own spec's shards (another spec's there are not in the way), and a file named twice
    // counts once.
    dir.file("other.kd", &SMALL.replace("seed 7", "seed 8"));
    let built = kdrepro(&dir.path, &["build", "other.kd", "--shard", "0/1", "-o", "good", "-q"], &[]);
    assert_eq!(built.status.code(), Some(0), "{}", outcome(&built).1);
    let (code, stderr) = outcome(&kdrepro(
        &dir.path,
        &["merge", "small.kd", "good", "./good/small.shard-0-of-3.json", "-o", "twice", "-q"],
        &[],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    std::fs::remove_file(dir.path.join("good/other.shard-0-of-1.json")).unwrap();

    // The report never replaces the shards' directory.
    let (code, stderr) = outcome(&kdrepro(&dir.path, &["merge", "small.kd", "good", "-o", "good"], &[]));
    assert!(code == Some(3) && stderr.contains("was not written by kdrepro"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path.join("good")).unwrap().count(), 3);

    // And the good shards merge, given as files or as their directory.
    for given in [
        vec!["good/small.shard-0-of-3.json", "good/small.shard-2-of-3.json", "good/small.shard-1-of-3.json"],
        vec!["good"],
    ] {
        let mut args = vec!["merge", "small.kd"];
        args.extend(&given);
        args.extend(["-o", "merged", "-q"]);
        let (code, stderr) = outcome(&kdrepro(&dir.path, &args, &[]));
        assert_eq!(code, Some(0), "{given:?}: {stderr}");
    }
}

#[test]
fn a_shard_count_beyond_the_trials_gives_empty_shards_that_still_merge() {
    // 4 points of 30 trials: 40 shards, some of them holding less than a point's trials or none.
    let dir = Scratch::new("shard-many");
    dir.file("small.kd", &SMALL.replace("trials 300", "trials 30"));
    let files = shards(&dir.path, "small.kd", 40, "many", &[]);
    let largest = files.iter().map(|f| std::fs::metadata(f).unwrap().len()).max().unwrap();
    assert!(largest < 8_000, "a shard of one or two trials is a few KB: {largest} bytes");
    let merged = kdrepro(&dir.path, &["merge", "small.kd", "many", "-o", "merged", "-q"], &[]);
    let single = kdrepro(&dir.path, &["build", "small.kd", "-o", "single", "-q"], &[]);
    assert_eq!(merged.status.code(), single.status.code(), "{}", outcome(&merged).1);
    let read = |out: &str| std::fs::read(dir.path.join(out).join("small.results.yaml")).unwrap();
    assert!(read("merged") == read("single"));
}

#[test]
fn shard_files_grow_with_points_not_trials() {
    let dir = Scratch::new("shard-size");
    let sizes: Vec<u64> = [30, 3000]
        .iter()
        .map(|trials| {
            let name = format!("small-{trials}.kd");
            dir.file(&name, &SMALL.replace("trials 300", &format!("trials {trials}")));
            let built = kdrepro(&dir.path, &["build", &name, "--shard", "0/1", "-o", "size", "-q"], &[]);
            assert_eq!(built.status.code(), Some(0), "{}", outcome(&built).1);
            std::fs::metadata(dir.path.join(format!("size/small-{trials}.shard-0-of-1.json"))).unwrap().len()
        })
        .collect();
    // 100 times the trials adds a few bits to each exact sum (log2 100 ≈ 7 of about 160), not 100 times the bytes.
    assert!(sizes[1] < sizes[0] * 3 / 2, "{sizes:?}");
}

#[test]
fn shard_options_that_make_no_sense_are_refused() {
    let dir = Scratch::new("shard-options");
    dir.file("small.kd", SMALL);
    for (args, message) in [
        (vec!["--shard", "3/3"], "numbered 0 to 2"),
        (vec!["--shard", "auto"], "neither SLURM_ARRAY_TASK_ID"),
        (vec!["--shard", "0/2", "--explain"], "cannot be used with"),
        (vec!["--shard", "0/2", "--cache", "c"], "cannot be used with"),
    ] {
        let mut all = vec!["build", "small.kd"];
        all.extend(&args);
        let (code, stderr) = outcome(&kdrepro(&dir.path, &all, &[]));
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// The fenced `sh` block of docs/cluster.md that follows the heading `heading`.
fn recipe(heading: &str) -> String {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cluster.md")).unwrap();
    let section = docs.split(&format!("## {heading}\n")).nth(1).unwrap_or_else(|| panic!("no section {heading}"));
    let block = section.split("```sh\n").nth(1).unwrap().split("```").next().unwrap();
    block.to_owned()
}

/// A directory laid out as the recipes expect, `specs/paper.kd` being SMALL (the paper itself takes minutes), with
/// `kdrepro` on the PATH; and that PATH.
fn recipe_dir(name: &str) -> (Scratch, String) {
    let dir = Scratch::new(name);
    std::fs::create_dir(dir.path.join("specs")).unwrap();
    dir.file("specs/paper.kd", SMALL);
    let bin = Path::new(env!("CARGO_BIN_EXE_kdrepro")).parent().unwrap().to_path_buf();
    let path =
        std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())));
    (dir, path.unwrap().to_string_lossy().into_owned())
}

/// Asserts that `dir/report` holds the report of a single build of `specs/paper.kd`, byte for byte.
fn assert_report_is_the_single_builds(dir: &Path) {
    let single = kdrepro(dir, &["build", "specs/paper.kd", "-o", "single", "-q"], &[]);
    assert_eq!(single.status.code(), Some(0), "{}", outcome(&single).1);
    for file in ["paper.results.yaml", "paper.pdf"] {
        let read = |out: &str| std::fs::read(dir.join(out).join(file)).unwrap();
        assert!(read("report") == read("single"), "{file} differs");
    }
}

#[test]
fn the_gnu_parallel_recipe_runs_as_written() {
    // GNU parallel is a Debian package (`parallel`), which .ci/run installs.
    let found = std::process::Command::new("parallel").arg("--version").output();
    let version = found.as_ref().map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    assert!(
        version.contains("GNU parallel"),
        "GNU parallel is not installed: `apt-get install parallel` (.ci/run does)"
    );
    let (dir, path) = recipe_dir("shard-parallel");
    let script = recipe("GNU parallel");
    assert!(script.contains("--shard {}/4"), "{script}");
    let ran = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(&dir.path)
        .env("PATH", path)
        .env("HOME", &dir.path) // parallel keeps its state under $HOME/.parallel
        .output()
        .unwrap();
    assert!(ran.status.success(), "{}", outcome(&ran).1);
    assert_eq!(std::fs::read_dir(dir.path.join("shards")).unwrap().count(), 4);
    assert_report_is_the_single_builds(&dir.path);
}

#[test]
fn the_kubernetes_indexed_job_is_valid_and_its_command_line_merges() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/kubernetes/shards.yaml")).unwrap();
    let job: serde_json::Value = serde_norway::from_str(&manifest).unwrap();
    assert_eq!((job["apiVersion"].as_str(), job["kind"].as_str()), (Some("batch/v1"), Some("Job")));
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed", "JOB_COMPLETION_INDEX is set only in Indexed mode");
    let completions = spec["completions"].as_u64().expect("a fixed number of completions");
    assert!(spec["parallelism"].as_u64().is_some_and(|p| (1..=completions).contains(&p)));
    let pod = &spec["template"]["spec"];
    assert!(
        matches!(pod["restartPolicy"].as_str(), Some("Never" | "OnFailure")),
        "a Job's pods must not restart always"
    );
    let containers = pod["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 1);
    let container = &containers[0];
    let command: Vec<&str> = container["command"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(command[..2], ["kdrepro", "build"]);
    // The count is given, and it is the Job's.
    let shard = command.iter().position(|&a| a == "--shard").map(|i| command[i + 1]).unwrap();
    assert_eq!(shard, format!("auto/{completions}"));
    // The shards go to the shared volume, mounted where the command writes them.
    let out = command.iter().position(|&a| a == "-o").map(|i| command[i + 1]).unwrap();
    let working = container["workingDir"].as_str().unwrap();
    let mount = &container["volumeMounts"][0];
    assert_eq!(mount["mountPath"].as_str().unwrap(), format!("{working}/{out}"));
    let volume = &pod["volumes"][0];
    assert_eq!(volume["name"], mount["name"]);
    assert!(volume["persistentVolumeClaim"]["claimName"].is_string());

    // Its command line as written, once per index, each pod's JOB_COMPLETION_INDEX set; then the merge.
    let (dir, path) = recipe_dir("shard-kubernetes");
    for index in 0..completions {
        let ran = std::process::Command::new(command[0])
            .args(&command[1..])
            .current_dir(&dir.path)
            .env("PATH", &path)
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env_remove("SLURM_ARRAY_TASK_ID")
            .output()
            .unwrap();
        assert!(ran.status.success(), "index {index}: {}", outcome(&ran).1);
    }
    let merged = kdrepro(&dir.path, &["merge", "specs/paper.kd", out, "-o", "report", "-q"], &[]);
    assert_eq!(merged.status.code(), Some(0), "{}", outcome(&merged).1);
    assert_report_is_the_single_builds(&dir.path);
}
