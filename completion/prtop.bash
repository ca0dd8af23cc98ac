# SPDX-License-Identifier: GPL-2.0
# bash completion for prtop(8): commands, each command's options, knob names
# (asked of `prtop knob -j` at completion time, so they are this kernel's)
# and the PIDs of VMM processes for `prtop host -p`.

_prtop_knobs()
{
	"${1:-prtop}" knob -j 2>/dev/null |
		sed -n 's/^[[:space:]]*"name":[[:space:]]*"\([^"]*\)".*/\1/p'
}

# the VMM processes `prtop host` finds by name (comm is cut at 15 bytes)
_prtop_vmm_pids()
{
	pgrep 'qemu-system|qemu-kvm|firecracker|cloud-hypervi|crosvm' 2>/dev/null
}

_prtop()
{
	local cur prev words cword
	_init_completion || return

	local cmds="stat doctor export knob record report bench host help"
	local cmd="" i sub=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--) break ;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				case " $cmds " in *" ${words[i]} "*) cmd=${words[i]} ;; esac
				# the first word that is not a command is the live view's interval
				[[ -z $cmd ]] && cmd=live
			elif [[ $cmd == host && ${words[i]} == export ]]; then
				sub=export
			fi
			;;
		esac
	done

	# after `--`, record and bench run a command: complete it as one
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} == -- ]] && [[ $cmd == record || $cmd == bench ]]; then
			_command_offset $((i + 1))
			return
		fi
	done

	case $prev in
	-d | --interval | -n | --iterations | --reps | --settle | --until-ci | \
		--max-minutes | --mib | --wait | --after | --top | -l | --listen | --history)
		return
		;;
	-o | --output | --price | --svg | --json-log)
		_filedir
		return
		;;
	-p | --pid)
		if [[ $cmd == host ]]; then
			COMPREPLY=($(compgen -W "$(_prtop_vmm_pids)" -- "$cur"))
			return
		fi
		;;
	--set)
		COMPREPLY=($(compgen -W "$(_prtop_knobs "${words[0]}")" -S = -- "$cur"))
		compopt -o nospace
		return
		;;
	esac

	local opts
	case $cmd in
	"" | live)
		opts="-d --interval -n --iterations -b --batch -j --json -T --timestamp
		      --history --json-log --reuse-exact --no-reuse -v --verbose -h --help
		      --version"
		;;
	stat)
		opts="-d --interval -j --json -T --timestamp --reuse-exact --no-reuse
		      -v --verbose -h --help"
		;;
	doctor) opts="-d --interval -j --json --host -v --verbose -h --help" ;;
	export)
		opts="-l --listen -d --interval --reuse-exact --no-reuse -v --verbose
		      -h --help"
		;;
	knob) opts="-j --json --dry-run --persist -h --help" ;;
	record)
		opts="-o --output -d --interval --after --price --reuse-exact
		      --no-reuse -v --verbose -h --help --"
		;;
	report) opts="-j --json --svg -h --help" ;;
	bench)
		opts="--reps --set --settle --no-prtop --overhead --until-ci
		      --max-minutes --json --refault --mib --wait --thp --return
		      --return-within --timeout --mark --workload-reps -v --verbose
		      -h --help --"
		;;
	host)
		if [[ $sub == export ]]; then
			opts="-l --listen -d --interval --top -p --pid --no-refaults
			      -v --verbose -h --help"
		else
			opts="-d --interval -n --iterations -b --batch -j --json
			      -T --timestamp -p --pid --no-refaults -v --verbose -h --help"
		fi
		;;
	help) opts="" ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case $cmd in
	"") COMPREPLY=($(compgen -W "$cmds" -- "$cur")) ;;
	help)
		[[ $prev == help ]] && COMPREPLY=($(compgen -W "${cmds% help}" -- "$cur"))
		;;
	knob)
		# NAME or NAME=VALUE: the knobs this kernel has
		[[ $cur != *=* ]] &&
			COMPREPLY=($(compgen -W "$(_prtop_knobs "${words[0]}")" -- "$cur"))
		;;
	report) _filedir ;;
	host) [[ -z $sub && $prev == host ]] && COMPREPLY=($(compgen -W "export" -- "$cur")) ;;
	esac
} &&
	complete -F _prtop prtop
