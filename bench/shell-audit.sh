#!/usr/bin/env bash
# The benchmark procedures' method, as their test plans write it: one `aws sagemaker list-*` per kind,
# then one `aws sagemaker describe-*` per resource, sequentially, each with --endpoint-url. Prints
# "kind<TAB>name<TAB>checked values" per resource on stdout, and per-phase timings to --timings FILE:
#   list <kind> <names listed> <nanoseconds>
#   describe <kind> <describe calls> <nanoseconds>
#
# usage: shell-audit.sh --endpoint-url URL [--region R] [--timings FILE]
#                       [--sample-training-jobs K] [--sample-models K] [--sample-notebook-instances K]
# A sample of K describes a kind's names evenly spread over its list (K < 0: all of them). The
# `aws` command is $AWS_CLI, else Debian's /usr/bin/aws, else the first `aws` on PATH.
set -euo pipefail

endpoint=''
region='us-east-1'
timings='/dev/null'
sample_jobs=-1
sample_models=-1
sample_notebooks=-1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --endpoint-url) endpoint="$2"; shift 2 ;;
    --region) region="$2"; shift 2 ;;
    --timings) timings="$2"; shift 2 ;;
    --sample-training-jobs) sample_jobs="$2"; shift 2 ;;
    --sample-models) sample_models="$2"; shift 2 ;;
    --sample-notebook-instances) sample_notebooks="$2"; shift 2 ;;
    *) echo "shell-audit.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$endpoint" in
  http://127.0.0.1:*) ;;
  *) echo "shell-audit.sh: --endpoint-url must be a local emulator (http://127.0.0.1:PORT), given '$endpoint'" >&2; exit 2 ;;
esac

if [[ -n "${AWS_CLI:-}" ]]; then aws_cli="$AWS_CLI"
elif [[ -x /usr/bin/aws ]]; then aws_cli=/usr/bin/aws
else aws_cli=aws
fi
export AWS_PAGER=''

: > "$timings"
now() { echo "${EPOCHREALTIME/./}000"; }  # nanoseconds (microsecond resolution)

sm() { "$aws_cli" sagemaker "$@" --endpoint-url "$endpoint" --region "$region" --output text; }

# audit KIND SAMPLE LIST-COMMAND LIST-QUERY DESCRIBE-COMMAND NAME-OPTION DESCRIBE-QUERY
audit() {
  local kind=$1 sample=$2 list_command=$3 list_query=$4 describe_command=$5 name_option=$6 describe_query=$7
  local start listed out names=() picked=() i count step
  start=$(now)
  listed=$(sm "$list_command" --query "$list_query")
  # Text output separates names with tabs (and pages with newlines); an empty list prints "None" or nothing.
  if [[ -n "$listed" && "$listed" != 'None' ]]; then
    mapfile -t names < <(tr '\t' '\n' <<< "$listed" | sed '/^$/d')
  fi
  echo "list $kind ${#names[@]} $(( $(now) - start ))" >> "$timings"

  count=${#names[@]}
  if (( sample < 0 || sample >= count )); then
    picked=("${names[@]}")
  elif (( sample > 0 )); then
    # Evenly spread over the list, in integer arithmetic: index i*count/sample.
    for (( i = 0; i < sample; i++ )); do picked+=("${names[i * count / sample]}"); done
  fi
  start=$(now)
  for name in "${picked[@]}"; do
    out=$(sm "$describe_command" "$name_option" "$name" --query "$describe_query")
    out=${out//$'\t'/ }
    printf '%s\t%s\t%s\n' "$kind" "$name" "${out//$'\n'/ }"
  done
  step=$(( $(now) - start ))
  echo "describe $kind ${#picked[@]} $step" >> "$timings"
}

audit training-job "$sample_jobs" list-training-jobs 'TrainingJobSummaries[].TrainingJobName' \
  describe-training-job --training-job-name \
  '[EnableNetworkIsolation, EnableInterContainerTrafficEncryption, VpcConfig.Subnets[0], ResourceConfig.VolumeKmsKeyId, OutputDataConfig.KmsKeyId]'
audit model "$sample_models" list-models 'Models[].ModelName' \
  describe-model --model-name \
  '[EnableNetworkIsolation, VpcConfig.Subnets[0]]'
audit notebook-instance "$sample_notebooks" list-notebook-instances 'NotebookInstances[].NotebookInstanceName' \
  describe-notebook-instance --notebook-instance-name \
  '[DirectInternetAccess, RootAccess, SubnetId, KmsKeyId]'
