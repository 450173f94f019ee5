"""`--help` of every script, as a new user meets it: what the experiment is
(the original, its settings, an example command) and the script's own flags
with their defaults, without absl's unrelated flags. `--helpfull` still
lists everything."""
import os
import subprocess
import sys

import pytest

from conftest import REPO

# Every test here starts a subprocess per script (--help of all 23): the long tier (make test-all).
pytestmark = pytest.mark.long

# absl's own flags (absl.flags, absl.logging, absl.app): --helpfull lists them, --help must not.
ABSL_FLAGS = ["--flagfile", "--undefok", "--logtostderr", "--alsologtostderr", "--log_dir", "--verbosity",
              "--stderrthreshold", "--showprefixforinfo", "--only_check_args", "--pdb_post_mortem",
              "--run_with_pdb", "--run_with_profiling", "--use_cprofile_for_profiling", "--logger_levels"]

# script: (phrases of its description, its own flags). The phrases name what the
# experiment reproduces and its original settings; every script shows one example command.
SCRIPTS = {
    "mnist_dnn.py": (["4-layer", "GradientDescentOptimizer(0.2), 30 epochs, batch 100"],
                     ["--keep_prob", "--eval_keep_prob", "--hidden", "--batch_norm", "--preset", "--optimizer",
                      "--learning_rate", "--epochs", "--batch_size", "--seed", "--data_dir", "--train_limit",
                      "--output", "--logdir", "--resume", "--input", "--intra_op_threads"]),
    "mnist_cnn.py": (["golbin", "Adam 0.001, keep 0.7", "15 epochs, batch 100"],
                     ["--variant", "--keep_prob", "--eval_keep_prob", "--optimizer", "--epochs", "--seed",
                      "--resume", "--data_dir", "--adam_epsilon", "--adam_beta1", "--adam_beta2"]),
    "linear_regression.py": (["height -> weight", "GradientDescentOptimizer(0.13), 100 full-batch steps",
                              "with --steps=0 this only evaluates it"],
                             ["--standardize", "--csv", "--steps", "--learning_rate", "--seed", "--output"]),
    "logistic_regression.py": (["sigmoid", "GD 0.5, batch 100"],
                               ["--model", "--csv", "--standardize", "--steps", "--epochs", "--seed"]),
    "animals_dnn.py": (["Fur/wings", "GradientDescentOptimizer(0.01), 100 full-batch steps",
                        "with --steps=0 this only evaluates it"],
                       ["--hidden", "--csv", "--steps", "--learning_rate", "--seed", "--output"]),
    "compare_optimizers.py": (["several optimizers", "--model=cnn-swu --optimizers=adam,rmsprop"],
                              ["--optimizers", "--learning_rates", "--model", "--epochs", "--seed", "--data_dir"]),
    "lr_sweep.py": (["log grid of rates", "cross-entropy"],
                    ["--learning_rates", "--losses", "--model", "--optimizer", "--seed"]),
    "make_data.py": (["height_weight", "127.24 h - 156.34"], ["--n", "--seed", "--noise", "--output"]),
    "fetch_mnist.py": (["MNIST", "55,000 training"], ["--data_dir", "--sources"]),
    "reproduce.py": (["original settings", "cnn_swu_adam: SWU CNN, Adam(0.001)"],
                     ["--seeds", "--only", "--results_dir", "--lane", "--run_flags", "--report_only",
                      "--reuse_any_revision", "--data_dir"]),
    "benchmark.py": (["images/s", "feed_dict"], ["--models", "--inputs", "--settings", "--windows", "--output"]),
    "plot_scalars.py": (["TensorBoard scalars"], ["--logdir", "--output", "--title"]),
    "mnist_tensorpack.py": (["tensorpack's trainer", "QueueInputTrainer"],
                            ["--model", "--input", "--epochs", "--train_limit", "--seed", "--load", "--resume"]),
    "launch_cluster.py": (["Start a TF1 cluster", "--ps=1 --workers=2"], ["--ps", "--workers", "--timeout"]),
    "word2vec.py": (["golbin 04/03", "NCE loss"], ["--embedding_size", "--num_sampled", "--steps", "--seed"]),
    "rnn_mnist.py": (["golbin 10/01", "28 steps of 28 pixels"], ["--epochs", "--batch_size", "--learning_rate", "--seed"]),
    "autocomplete.py": (["golbin 10/02", "first three letters"], ["--words", "--epochs", "--keep_prob", "--seed"]),
    "seq2seq.py": (["golbin 10/03", "character by character"], ["--translate", "--epochs", "--keep_prob", "--seed"]),
    "autoencoder.py": (["golbin 08/01", "784 -> 256 sigmoid -> 784 sigmoid"], ["--epochs", "--learning_rate", "--seed"]),
    "gan.py": (["golbin 09/01 GAN", "conditional GAN"], ["--conditional", "--epochs", "--sample_every", "--seed"]),
    "dqn.py": (["golbin 12", "car-dodging game"], ["--replay_size", "--gamma", "--target_update", "--steps", "--seed"]),
    "pggan.py": (["Progressive growing of GANs", "non-progressive baseline", "celebahq-1024"],
                 ["--progressive", "--dataset", "--budget_seconds", "--budget_cpu_seconds", "--g_smoothing_kimg",
                  "--swd_final_images", "--batch_size", "--seed", "--data_dir"]),
    "pggan_study.py": (["Convergence and training speed", "same training-time budget"],
                       ["--out_dir", "--budget_cpu_seconds", "--seeds", "--methods", "--parallel", "--report_only"]),
}


def _help(script, flag="--help"):
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", script), flag], cwd=REPO,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def test_every_script_is_covered():
    scripts = sorted(f for f in os.listdir(os.path.join(REPO, "scripts")) if f.endswith(".py"))
    assert scripts == sorted(SCRIPTS)


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_help_describes_the_experiment_and_its_own_flags(script):
    phrases, own = SCRIPTS[script]
    text = _help(script)
    for phrase in phrases:
        assert phrase in text, "%s --help does not say %r:\n%s" % (script, phrase, text)
    assert "python scripts/%s" % script in text, "%s --help shows no example command" % script
    listed = {line.split(":")[0].strip().replace("--[no]", "--") for line in text.splitlines()
              if line.startswith("  --")}
    missing = [f for f in own if f not in listed]
    assert not missing, "%s --help does not list its flags %s:\n%s" % (script, missing, text)
    assert "(default: " in text
    leaked = [f for f in ABSL_FLAGS if f in listed]
    assert not leaked, "%s --help lists absl's %s" % (script, leaked)


def test_helpfull_still_lists_everything():
    text = _help("mnist_dnn.py", "--helpfull")
    for flag in ["--keep_prob", "--flagfile", "--undefok", "--verbosity"]:
        assert flag in text
